// The check-in desk: where the browser has BarcodeDetector and a camera, a button scans
// the badge's QR code into the form and sends it. Without them the form works as it is.
(function () {
  "use strict";
  var form = document.getElementById("desk-form");
  var input = document.getElementById("f-badge");
  var button = document.getElementById("scan");
  var video = document.getElementById("camera");
  if (!form || !input || !button || !video) return;
  if (!("BarcodeDetector" in window) || !navigator.mediaDevices ||
      !navigator.mediaDevices.getUserMedia) return;
  button.hidden = false;
  var stream = null;
  function stop() {
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); }
    stream = null;
    video.hidden = true;
  }
  button.addEventListener("click", function () {
    if (stream) { stop(); return; }
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } })
      .then(function (s) {
        stream = s;
        video.srcObject = s;
        video.hidden = false;
        return video.play();
      })
      .then(function () {
        function look() {
          if (!stream) return;
          detector.detect(video).then(function (codes) {
            if (codes.length > 0 && codes[0].rawValue) {
              input.value = codes[0].rawValue;
              stop();
              form.submit();
            } else {
              window.requestAnimationFrame(look);
            }
          }).catch(function () { window.requestAnimationFrame(look); });
        }
        look();
      })
      .catch(function () { stop(); input.focus(); });
  });
})();
