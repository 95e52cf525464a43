"""The fixed words of the rendered programme, in the three working languages."""

from __future__ import annotations

from pesnet.shared.i18n import Localized

LABELS: dict[str, Localized] = {
    "programme": Localized(ar="برنامج الاجتماع", en="Programme", fr="Programme"),
    "version": Localized(ar="الإصدار", en="Version", fr="Version"),
    "draft": Localized(ar="مسودة غير منشورة", en="Unpublished draft", fr="Projet non publié"),
    "released_on": Localized(ar="نُشر في", en="Published on", fr="Publié le"),
    "times_in": Localized(
        ar="جميع الأوقات بالتوقيت المحلي",
        en="All times are local time",
        fr="Toutes les heures sont en heure locale",
    ),
    "time": Localized(ar="الوقت", en="Time", fr="Heure"),
    "session": Localized(ar="الجلسة", en="Session", fr="Séance"),
    "speakers": Localized(ar="المتحدثون", en="Speakers", fr="Intervenants"),
    "moderators": Localized(ar="المسيّر", en="Moderator", fr="Modération"),
    "moderating_institutions": Localized(ar="تسيير", en="Moderated by", fr="Modération"),
    "room": Localized(ar="القاعة", en="Room", fr="Salle"),
    "open_end": Localized(ar="بدون وقت انتهاء", en="open end", fr="sans heure de fin"),
    "flagged": Localized(
        ar="قيد المراجعة: انسحب أحد المتحدثين",
        en="Under review: a speaker withdrew",
        fr="En révision : un intervenant s'est retiré",
    ),
    "changes": Localized(
        ar="التغييرات في هذا الإصدار",
        en="Changes in this version",
        fr="Modifications de cette version",
    ),
    "interpretation": Localized(ar="الترجمة الفورية", en="Interpretation", fr="Interprétation"),
    "venue": Localized(ar="المكان", en="Venue", fr="Lieu"),
}

KIND_LABELS: dict[str, Localized] = {
    "registration": Localized(ar="تسجيل", en="Registration", fr="Inscription"),
    "opening": Localized(ar="افتتاح", en="Opening", fr="Ouverture"),
    "presentation": Localized(ar="عرض", en="Presentation", fr="Présentation"),
    "panel": Localized(ar="حلقة نقاش", en="Panel", fr="Panel"),
    "roundtable": Localized(ar="مائدة مستديرة", en="Round table", fr="Table ronde"),
    "discussion": Localized(ar="نقاش", en="Discussion", fr="Discussion"),
    "break": Localized(ar="استراحة", en="Break", fr="Pause"),
    "closing": Localized(ar="اختتام", en="Closing", fr="Clôture"),
    "social": Localized(ar="برنامج اجتماعي", en="Social programme", fr="Programme social"),
}


def label(key: str, language: str) -> str:
    return LABELS[key].get(language)
