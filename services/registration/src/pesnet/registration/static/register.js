// The registration form: the list of institutions narrows to those of the chosen member
// state (and those of none), and the field for another institution's name shows only
// when no institution of the list is chosen. Without JavaScript the form works as it
// is: the whole list, and both fields.
(function () {
  "use strict";
  var country = document.getElementById("f-country");
  var picker = document.getElementById("f-institution_id");
  var other = document.getElementById("other-institution");
  if (!country || !picker || !other) return;
  var groups = Array.prototype.slice.call(picker.getElementsByTagName("optgroup"));
  var last = picker.options[picker.options.length - 1]; // "another institution"

  function narrow() {
    var chosen = picker.value;
    var kept = false;
    groups.forEach(function (group) {
      var code = group.getAttribute("data-country");
      var shown = !country.value || !code || code === country.value;
      if (shown) {
        picker.insertBefore(group, last);
        if (group.querySelector("option[value='" + chosen + "']")) kept = true;
      } else if (group.parentNode) {
        picker.removeChild(group);
      }
    });
    picker.value = kept || chosen === last.value ? chosen : "";
    toggle();
  }

  function toggle() {
    other.hidden = !(picker.value === "" || picker.value === last.value);
  }

  country.addEventListener("change", narrow);
  picker.addEventListener("change", toggle);
  narrow();
})();
