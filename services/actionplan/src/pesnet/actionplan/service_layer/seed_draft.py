"""The draft 2024-2026 plan as the 4th meeting discussed it (Marrakech, 28 February -
1 March 2024). Its thematic areas are those the programme names: entrepreneurship as a
driver of growth and inclusion (session 1), the entrepreneurship skills of young people
(session 2), and the capacity-building needs of national PES institutions (the meeting's
objectives). The concept note gives no activity, indicator or comment of the draft: those
below are illustrative, and say so."""

from __future__ import annotations

from typing import Any

ILLUSTRATIVE = {
    "ar": "مثال توضيحي: لا تذكر المذكرة المفاهيمية نص هذا النشاط.",
    "en": "Illustrative: the concept note gives no text for this activity.",
    "fr": "À titre d'illustration : la note conceptuelle ne donne pas le texte de cette activité.",
}

AREAS: list[dict[str, Any]] = [
    {
        "id": "entrepreneurship",
        "title": {
            "ar": "ريادة الأعمال كمحرك للنمو المستدام والشمول الاقتصادي",
            "en": "Entrepreneurship as a driver of sustainable growth and economic inclusion",
            "fr": "L'entrepreneuriat, moteur de croissance durable et d'inclusion économique",
        },
    },
    {
        "id": "youth-skills",
        "title": {
            "ar": "مهارات ريادة الأعمال من أجل الإدماج الاقتصادي للشباب",
            "en": "Entrepreneurship skills for the economic inclusion of young people",
            "fr": "Compétences entrepreneuriales pour l'inclusion économique des jeunes",
        },
    },
    {
        "id": "pes-capacity",
        "title": {
            "ar": "بناء قدرات المؤسسات الوطنية لخدمات التوظيف العامة",
            "en": "Capacity building of national public employment services",
            "fr": "Renforcement des capacités des services publics de l'emploi nationaux",
        },
    },
]

ACTIVITIES: list[dict[str, Any]] = [
    {
        "id": "act-2024-entrepreneurship-workshop",
        "thematic_area": "entrepreneurship",
        "activity_type": "workshop",
        "title": {
            "ar": "ورشة عمل حول مرافقة رواد الأعمال في خدمات التوظيف العامة",
            "en": "Workshop on accompanying entrepreneurs in public employment services",
            "fr": "Atelier sur l'accompagnement des entrepreneurs par les services publics de l'emploi",
        },
        "lead_institutions": ["anapec"],
        "planned_start": "2024-10-01",
        "planned_end": "2024-10-03",
    },
    {
        "id": "act-2025-youth-skills-training",
        "thematic_area": "youth-skills",
        "activity_type": "training_programme",
        "title": {
            "ar": "برنامج تدريبي في مهارات ريادة الأعمال لمستشاري التوظيف الشباب",
            "en": "Training programme in entrepreneurship skills for youth employment counsellors",
            "fr": "Programme de formation aux compétences entrepreneuriales pour les conseillers emploi des jeunes",
        },
        "lead_institutions": ["iskur"],
        "planned_start": "2025-03-01",
        "planned_end": "2025-06-30",
    },
    {
        "id": "act-2025-pes-study-visit",
        "thematic_area": "pes-capacity",
        "activity_type": "study_visit",
        "title": {
            "ar": "زيارة دراسية حول نظام التأمين على العمل",
            "en": "Study visit on the employment insurance system",
            "fr": "Visite d'étude sur le système d'assurance emploi",
        },
        "lead_institutions": ["socso"],
        "planned_start": "2025-09-01",
        "planned_end": "2025-09-05",
    },
]

INDICATORS: list[dict[str, Any]] = [
    {
        "id": "ind-2024-counsellors-trained",
        "activity_id": "act-2024-entrepreneurship-workshop",
        "measure": "number",
        "title": {
            "ar": "عدد المستشارين المدربين على مرافقة رواد الأعمال",
            "en": "Counsellors trained to accompany entrepreneurs",
            "fr": "Conseillers formés à l'accompagnement des entrepreneurs",
        },
        "baseline": 0,
        "targets": [("2024", 30), ("2025", 60), ("2026", 90)],
    },
    {
        "id": "ind-2025-youth-counsellors",
        "activity_id": "act-2025-youth-skills-training",
        "measure": "number",
        "title": {
            "ar": "عدد مستشاري توظيف الشباب الذين أتموا البرنامج",
            "en": "Youth employment counsellors who completed the programme",
            "fr": "Conseillers emploi des jeunes ayant achevé le programme",
        },
        "baseline": 0,
        "targets": [("2025", 40), ("2026", 80)],
    },
]

# (country, thematic area, activity, stance, text, proposed text, needs, capacities)
COMMENTS: list[dict[str, Any]] = [
    {
        "country": "MAR",
        "thematic_area": "entrepreneurship",
        "stance": "support",
        "text": "Illustrative: Morocco supports the area and offers to host the workshop.",
        "capacities": "Illustrative: ANAPEC's entrepreneurship services can host a workshop.",
    },
    {
        "country": "TUR",
        "activity_id": "act-2025-youth-skills-training",
        "stance": "amend",
        "text": "Illustrative: open the programme to counsellors of vocational schools.",
        "proposed_text": "Illustrative: Training programme in entrepreneurship skills for youth "
        "employment counsellors and vocational school advisers",
    },
    {
        "country": "MYS",
        "thematic_area": "pes-capacity",
        "stance": "support",
        "text": "Illustrative: Malaysia can share its employment insurance system.",
        "needs": "Illustrative: labour market information systems.",
    },
]
