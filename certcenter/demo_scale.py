"""The demo-scale data set (``certcenter demo --applications 100000``): candidates with profiles, education and
experience; their applications in every workflow state, each with a history that is a valid path through
``workflow.TRANSITIONS``; assignments, judgements, results, final ratings, decisions with their snapshot, and
certificates numbered from the yearly series. It feeds the admin dashboard, the statistics and the benchmarks.

Rows are written in bulk (COPY on PostgreSQL, Core executemany elsewhere; ids taken from the tables' sequences in
blocks), not through the ORM and its verbs, so neither an audit entry nor a notification is written per row: one
audit entry records the batch. 100,000 applications (some three million rows) take about two and a half minutes on
PostgreSQL, most of it for the decisions' snapshots.

The data follows from ``random.Random`` seeded with the seed and the batch number; only the dates move with the
day it runs (the last ``years`` up to now).

Every generated account has the password ``DEMO_PASSWORD`` (one hash, computed once). Certificates are issued
without a PDF: their rendering is marked failed with a message saying so, which the render sweep leaves alone
(it re-sends only queued and rendering ones); an administrator renders one with "Retry" on its page.
"""

from __future__ import annotations

import base64
import math
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple

from flask_babel import force_locale
from sqlalchemy import func, insert, select, text

from certcenter.accounts.models import ADMINISTRATOR, ASSESSOR, CANDIDATE, User
from certcenter.accounts.services import hash_password
from certcenter.applications import workflow as wf
from certcenter.assessments.models import MET, NOT_MET, PARTIALLY_MET, PRACTICAL, THEORY
from certcenter.assessments.services import descriptor_titles, qualification_snapshot
from certcenter.candidates.eligibility import MET as ELIGIBLE
from certcenter.candidates.eligibility import (
    NEEDS_REVIEW,
    Eligibility,
    PathwayResult,
    describe_shortfall,
    experience_days,
)
from certcenter.candidates.eligibility import NOT_MET as INELIGIBLE
from certcenter.candidates.iin import check_digit
from certcenter.certificates.models import EXPIRED, FAILED, REVOKED, SUPERSEDED, SUSPENDED, VALID
from certcenter.certificates.numbering import format_number, reserve_block
from certcenter.certificates.services import add_years, centre_as_stated
from certcenter.core import audit
from certcenter.core.models import AuditEntry, utcnow
from certcenter.demo import DEMO_PASSWORD
from certcenter.extensions import db
from certcenter.framework.models import FrameworkEdition, FrameworkLevel
from certcenter.framework.rules import Facts, evaluate
from certcenter.framework.services import bundled_edition_files, edition_by_code, load_edition, read_edition_file
from certcenter.qualifications.criteria import assessment_criteria
from certcenter.qualifications.models import Qualification
from certcenter.qualifications.services import DATA_DIR, load_catalogue

AUDIT_ACTION = "demo.generate"
EMAIL_DOMAIN = "scale.demo.certcenter.kz"
SCALE_CATALOGUE = DATA_DIR / "demo-scale-qualifications.yaml"
ASSESSOR_POOL = 60
ADMINISTRATOR_POOL = 8
CHUNK = 5000  # applications generated and written at a time
INSERT_BATCH = 5000  # rows per executemany
RENDER_NOTE = "Demo data set: no PDF was rendered for this certificate. Use Retry to render it."
ALMATY = timedelta(hours=5)  # the centre's working day is 09:00-18:00 in Almaty (UTC+5)

# Share of applications per NQF level (most demand is at the skilled-worker levels 3 to 5), and the share of
# assessed candidates confirmed at each level before a qualification's own offset.
LEVEL_WEIGHTS = {1: 3, 2: 8, 3: 24, 4: 26, 5: 19, 6: 11, 7: 6, 8: 3}
LEVEL_CONFIRMATION = {1: 0.88, 2: 0.84, 3: 0.77, 4: 0.71, 5: 0.65, 6: 0.6, 7: 0.56, 8: 0.5}
MONTH_DEMAND = {1: 0.7, 2: 0.9, 3: 1.1, 4: 1.15, 5: 1.1, 6: 0.95, 7: 0.75, 8: 0.8, 9: 1.05, 10: 1.15, 11: 1.15, 12: 0.9}
GROWTH = 1.0  # demand at the end of the period is (1 + GROWTH) times that at its start

# Generated tables in the order they are written; the summary counts rows per table in this order.
TABLES = (
    "users",
    "user_roles",
    "candidate_profiles",
    "education_records",
    "experience_records",
    "applications",
    "application_events",
    "assignments",
    "assessment_results",
    "criterion_ratings",
    "final_ratings",
    "decisions",
    "certificates",
)


@dataclass
class Summary:
    batch: int
    seed: int
    applications: int
    rows: dict[str, int]
    states: dict[str, int]
    certificate_statuses: dict[str, int]
    seconds: float
    new_qualifications: list[str] = field(default_factory=list)


# --- names and texts ------------------------------------------------------------------------------------------------

# (Cyrillic, Latin) pairs.
KAZAKH_MALE = [
    ("Нұржан", "Nurzhan"), ("Ерлан", "Yerlan"), ("Асхат", "Askhat"), ("Дәурен", "Dauren"), ("Бауыржан", "Bauyrzhan"),
    ("Ержан", "Yerzhan"), ("Серік", "Serik"), ("Марат", "Marat"), ("Арман", "Arman"), ("Қайрат", "Kairat"),
    ("Ғалым", "Galym"), ("Тимур", "Timur"), ("Данияр", "Daniyar"), ("Ернар", "Yernar"), ("Әлібек", "Alibek"),
    ("Мұрат", "Murat"), ("Бекзат", "Bekzat"), ("Санжар", "Sanzhar"), ("Айдос", "Aidos"), ("Жандос", "Zhandos"),
]  # fmt: skip
KAZAKH_FEMALE = [
    ("Айгерім", "Aigerim"), ("Әлия", "Aliya"), ("Гүлнар", "Gulnar"), ("Динара", "Dinara"), ("Жанар", "Zhanar"),
    ("Меруерт", "Meruert"), ("Аружан", "Aruzhan"), ("Сәуле", "Saule"), ("Ақбота", "Akbota"), ("Дана", "Dana"),
    ("Әсел", "Assel"), ("Камила", "Kamila"), ("Мадина", "Madina"), ("Назерке", "Nazerke"), ("Айжан", "Aizhan"),
    ("Гүлмира", "Gulmira"), ("Жансая", "Zhansaya"), ("Ләззат", "Lazzat"),
]  # fmt: skip
KAZAKH_FATHERS = [
    ("Болат", "Bolat"), ("Марат", "Marat"), ("Серік", "Serik"), ("Қайрат", "Kairat"), ("Ерлан", "Yerlan"),
    ("Нұрлан", "Nurlan"), ("Асқар", "Askar"), ("Бақыт", "Bakyt"), ("Талғат", "Talgat"), ("Мұхтар", "Mukhtar"),
    ("Қанат", "Kanat"), ("Әсет", "Asset"), ("Самат", "Samat"), ("Ғани", "Gani"),
]  # fmt: skip
KAZAKH_SURNAMES = [
    ("Сапаров", "Saparov"), ("Нұрланов", "Nurlanov"), ("Омаров", "Omarov"), ("Ахметов", "Akhmetov"),
    ("Жұмабаев", "Zhumabayev"), ("Серікбаев", "Serikbayev"), ("Әбенов", "Abenov"), ("Қасымов", "Kassymov"),
    ("Төлеуов", "Toleuov"), ("Мұқанов", "Mukanov"), ("Ибраев", "Ibrayev"), ("Бекмұратов", "Bekmuratov"),
    ("Оспанов", "Ospanov"), ("Тұрсынов", "Tursynov"), ("Байжанов", "Baizhanov"), ("Дүйсенов", "Duissenov"),
    ("Есенов", "Yessenov"), ("Құрманов", "Kurmanov"), ("Садықов", "Sadykov"), ("Рахимов", "Rakhimov"),
    ("Өмірбеков", "Omirbekov"), ("Үсенов", "Ussenov"), ("Жақсылықов", "Zhaksylykov"), ("Исабеков", "Issabekov"),
]  # fmt: skip
RUSSIAN_MALE = [
    ("Иван", "Ivan"), ("Сергей", "Sergey"), ("Алексей", "Alexey"), ("Дмитрий", "Dmitry"), ("Андрей", "Andrey"),
    ("Виктор", "Viktor"), ("Николай", "Nikolay"), ("Павел", "Pavel"), ("Евгений", "Yevgeny"), ("Олег", "Oleg"),
]  # fmt: skip
RUSSIAN_FEMALE = [
    ("Елена", "Elena"), ("Ирина", "Irina"), ("Ольга", "Olga"), ("Наталья", "Natalya"), ("Татьяна", "Tatyana"),
    ("Светлана", "Svetlana"), ("Анна", "Anna"), ("Юлия", "Yuliya"), ("Марина", "Marina"),
]  # fmt: skip
# (male Cyrillic, female Cyrillic, male Latin, female Latin)
RUSSIAN_PATRONYMICS = [
    ("Иванович", "Ивановна", "Ivanovich", "Ivanovna"),
    ("Сергеевич", "Сергеевна", "Sergeyevich", "Sergeyevna"),
    ("Викторович", "Викторовна", "Viktorovich", "Viktorovna"),
    ("Александрович", "Александровна", "Aleksandrovich", "Aleksandrovna"),
    ("Николаевич", "Николаевна", "Nikolayevich", "Nikolayevna"),
    ("Петрович", "Петровна", "Petrovich", "Petrovna"),
    ("Владимирович", "Владимировна", "Vladimirovich", "Vladimirovna"),
]
RUSSIAN_SURNAMES = [
    ("Иванов", "Ivanov"), ("Петров", "Petrov"), ("Кузнецов", "Kuznetsov"), ("Попов", "Popov"),
    ("Смирнов", "Smirnov"), ("Соколов", "Sokolov"), ("Новиков", "Novikov"), ("Морозов", "Morozov"),
    ("Волков", "Volkov"), ("Ким", "Kim"), ("Ткаченко", "Tkachenko"), ("Шевченко", "Shevchenko"),
    ("Бондаренко", "Bondarenko"), ("Пак", "Pak"), ("Федоров", "Fedorov"),
]  # fmt: skip

CITIES = [
    ("Алматы", "Алматы"), ("Астана", "Астана"), ("Шымкент", "Шымкент"), ("Қарағанды", "Караганда"),
    ("Ақтөбе", "Актобе"), ("Атырау", "Атырау"), ("Павлодар", "Павлодар"), ("Өскемен", "Усть-Каменогорск"),
    ("Қостанай", "Костанай"), ("Тараз", "Тараз"), ("Орал", "Уральск"), ("Ақтау", "Актау"), ("Семей", "Семей"),
    ("Петропавл", "Петропавловск"), ("Қызылорда", "Кызылорда"), ("Түркістан", "Туркестан"),
]  # fmt: skip
EMPLOYERS = [
    "«Атырау Мұнай Сервис» ЖШС", "«Қазақ Логистика» АҚ", "ТОО «СтройИнвест Астана»", "ТОО «КазЭнергоРемонт»",
    "АО «Павлодарский нефтехимический завод»", "«Алматы Құрылыс» ЖШС", "ТОО «Шымкент Тағам»",
    "АО «Қазақтелеком»", "ТОО «Karaganda Steel Service»", "«Ақтөбе Мыс» ЖШС", "ИП «Сапаров Б.»",
    "ТОО «Орал Агро»", "АО «KEGOC»", "ТОО «Astana IT Solutions»", "ГКП «Городская поликлиника № 5»",
    "ТОО «Каспий Сервис Групп»", "«Ертіс Энерго» ЖШС", "ТОО «Qazaq Food Company»",
]  # fmt: skip
PAST_POSITIONS = [
    "Разнорабочий", "Көмекші жұмысшы", "Оператор", "Кладовщик", "Стажер", "Маман", "Ассистент", "Жүргізуші",
    "Специалист", "Инженер", "Менеджер", "Аға маман",
]  # fmt: skip
COLLEGES = [
    "{city} политехникалық колледжі", "{city} жоғары политехникалық колледжі", "{city} құрылыс колледжі",
    "Колледж экономики и бизнеса г. {city}", "Высший колледж сервиса и питания г. {city}",
    "{city} индустриалды-технологиялық колледжі",
]  # fmt: skip
UNIVERSITIES = [
    "әл-Фараби атындағы Қазақ ұлттық университеті", "Л.Н. Гумилев атындағы Еуразия ұлттық университеті",
    "Satbayev University", "Әбілқас Сағынов атындағы Қарағанды техникалық университеті",
    "М. Әуезов атындағы Оңтүстік Қазақстан университеті", "Торайғыров университеті",
    "Казахстанско-Британский технический университет", "Университет КИМЭП", "Назарбаев Университет",
]  # fmt: skip
TRAINING_PROVIDERS = [
    "«Кәсіби даму орталығы» оқу орталығы", "Учебный центр «Профессионал»", "Корпоративный учебный центр работодателя",
    "«Атамекен» ҰКП оқу орталығы", "Учебный центр «Bilim Plus»",
]  # fmt: skip
SPECIALITIES = {
    "AUX-WORKER-1": "Құрылыс жұмыстары",
    "KITCHEN-ASSIST-2": "Тамақтандыруды ұйымдастыру",
    "COOK-3": "Тамақтандыруды ұйымдастыру",
    "WELD-3": "Дәнекерлеу өндірісі",
    "ELEC-MAINT-4": "Электр жабдықтарын техникалық пайдалану",
    "ACCOUNTANT-4": "Есеп және аудит",
    "OILGAS-FOREMAN-5": "Мұнай және газ кен орындарын пайдалану",
    "CONSTR-FOREMAN-5": "Ғимараттар мен құрылыстарды салу және пайдалану",
    "SOFTWARE-DEV-6": "Ақпараттық жүйелер",
    "HR-HEAD-7": "Менеджмент",
    "RESEARCH-DIR-8": "Материалтану және жаңа материалдар технологиясы",
}

JUSTIFICATIONS = {
    MET: [
        "Представленные доказательства подтверждают выполнение критерия в полном объёме.",
        "Практическое задание выполнено самостоятельно и без замечаний; отзыв работодателя это подтверждает.",
        "Ұсынылған дәлелдер критерийдің толық орындалғанын растайды.",
        "Практикалық тапсырма өз бетінше және ескертусіз орындалды; жұмыс берушінің ұсынымы мұны растайды.",
    ],
    PARTIALLY_MET: [
        "Критерий выполнен частично: доказательств недостаточно для подтверждения самостоятельной работы.",
        "Часть требований подтверждена, однако нет доказательств за последние три года.",
        "Критерий ішінара орындалды: өз бетінше жұмыс істегенін растайтын дәлелдер жеткіліксіз.",
    ],
    NOT_MET: [
        "Доказательства не подтверждают выполнение критерия; практическое задание выполнено с грубыми ошибками.",
        "Дәлелдер критерийдің орындалғанын растамайды; практикалық тапсырма өрескел қателермен орындалды.",
    ],
}
MODERATION_REASONS = [
    "По результатам обсуждения с оценщиками и повторного изучения доказательств.",
    "Бағалаушылармен талқылау және дәлелдерді қайта қарау нәтижесінде.",
    "Видеозапись практического задания подтверждает оценку второго оценщика.",
]
EXCEPTION_REQUESTS = [
    "Имею более десяти лет стажа по специальности, но диплом колледжа утерян; прошу учесть архивную справку.",
    "Колледжді 2008 жылы бітірдім, диплом жоғалды; мұрағаттық анықтаманы қарауды сұраймын.",
    "Образование получено за рубежом, процедура признания диплома ещё не завершена.",
    "Практический опыт подтверждается трудовой книжкой, но часть стажа не отражена в электронной базе.",
]
EXCEPTION_GRANTED = [
    "Архивная справка подтверждает образование; исключение предоставлено.",
    "Тәжірибе еңбек кітапшасымен расталды; ерекшелік берілді.",
]
EXCEPTION_REFUSED = [
    "Представленные документы не подтверждают требуемый уровень образования.",
    "Ұсынылған құжаттар талап етілетін білім деңгейін растамайды.",
]
SCREENING_REFUSALS = [
    "Сведения об образовании не совпадают с представленным дипломом.",
    "Білім туралы мәліметтер ұсынылған дипломмен сәйкес келмейді.",
]
RECOGNITION_REFUSALS = [
    "Общественное профессиональное признание не подтверждено документами.",
    "Қоғамдық кәсіби тану құжаттармен расталмаған.",
]
RECOGNITION_ACCEPTED = [
    "Профессиональное признание подтверждено письмами отраслевой ассоциации.",
    "Кәсіби тану салалық қауымдастықтың хаттарымен расталды.",
]
DECISION_COMMENTS = [
    "Рекомендовано пройти курсы повышения квалификации.",
    "Біліктілікті арттыру курсынан өту ұсынылады.",
    "Кандидат может подать заявление повторно после дополнительной практики.",
]
APPEALS = [
    "Не согласен с оценкой практического задания: условия проведения не соответствовали регламенту.",
    "Теориялық тест нәтижесімен келіспеймін; кейбір сұрақтар біліктілікке қатысты емес.",
    "Прошу пересмотреть оценку критерия: доказательства были представлены, но не учтены.",
]
APPEAL_UPHELD = ["Апелляционная комиссия признала нарушение процедуры; назначена повторная оценка."]
APPEAL_DISMISSED = [
    "Апелляционная комиссия не выявила нарушений; решение оставлено в силе.",
    "Апелляциялық комиссия бұзушылық анықтаған жоқ; шешім күшінде қалдырылды.",
]
PRACTICAL_NOTES = ["", "", "", "Практическое задание выполнено на базе центра.", "Тапсырма жұмыс орнында орындалды."]
SUSPENSIONS = [
    "Проверка подлинности документов по запросу работодателя.",
    "Жұмыс берушінің сұрауы бойынша құжаттардың түпнұсқалығын тексеру.",
]
REVOCATIONS = [
    "Установлена недостоверность представленных документов.",
    "Решение отменено по результатам внутренней проверки.",
]
REISSUES = [
    "Смена фамилии (свидетельство о заключении брака).",
    "Утеря сертификата; выдан дубликат.",
    "Запрошена версия на английском языке.",
]
CONFLICTS = [
    ("same_employer", None),
    ("trained_candidate", None),
    ("relative", None),
    ("other", "Ранее работали в одной бригаде."),
]

# Education a candidate typically brings to each level: (weight, [education codes], experience years (low, high)).
PROFILES = {
    1: [
        (0.6, ["basic_secondary", "on_the_job_training"], (0, 6)),
        (0.4, ["general_secondary", "short_courses"], (0, 4)),
    ],
    2: [(0.5, ["basic_secondary"], (1, 10)), (0.5, ["general_secondary", "short_courses"], (0, 6))],
    3: [(0.7, ["general_secondary"], (1, 15)), (0.3, ["basic_secondary", "professional_training"], (1, 12))],
    4: [
        (0.7, ["general_secondary", "technical_vocational"], (3.2, 20)),
        (0.2, ["general_secondary", "post_secondary"], (1, 15)),
        (0.1, ["technical_vocational", "additional_professional_education"], (1, 12)),
    ],
    5: [
        (0.5, ["general_secondary", "technical_vocational"], (2, 20)),
        (0.4, ["general_secondary", "higher"], (1, 18)),
        (0.1, ["technical_vocational", "additional_professional_education"], (1, 15)),
    ],
    6: [(1.0, ["general_secondary", "higher"], (1, 20))],
    7: [
        (0.7, ["general_secondary", "higher", "master"], (3, 25)),
        (0.3, ["general_secondary", "higher", "additional_professional_education"], (5, 25)),
    ],
    8: [
        (0.6, ["higher", "master", "doctorate"], (5, 30)),
        (0.25, ["higher", "master"], (5, 25)),
        (0.1, ["higher", "candidate_of_sciences"], (10, 30)),
        (0.05, ["specialist", "additional_professional_education"], (10, 30)),
    ],
}  # fmt: skip
# The age at which each kind of education is typically completed (low, high).
COMPLETION_AGE = {
    "primary": (11, 11), "basic_secondary": (15, 16), "general_secondary": (17, 18), "technical_vocational": (19, 21),
    "post_secondary": (20, 22), "higher": (21, 23), "specialist": (22, 23), "master": (23, 26), "doctorate": (26, 35),
    "candidate_of_sciences": (28, 40), "short_courses": (18, 45), "on_the_job_training": (18, 45),
    "professional_training": (18, 40), "additional_professional_education": (24, 45),
}  # fmt: skip
TRAINING = ("short_courses", "on_the_job_training", "professional_training", "additional_professional_education")
AGE_RANGE = {1: (18, 58), 2: (18, 58), 3: (20, 55), 4: (22, 56), 5: (24, 58), 6: (25, 58), 7: (28, 60), 8: (32, 62)}


# --- reference data -------------------------------------------------------------------------------------------------


def ensure_reference_data() -> list[str]:
    """Load the bundled framework editions that are missing, the demo catalogue and the demo-scale qualifications
    (each idempotent). Returns the codes of the qualifications created."""
    for path in bundled_edition_files():
        data = read_edition_file(path)
        if edition_by_code(data["edition"]["code"]) is None:
            load_edition(data)
    created = load_catalogue(DATA_DIR / "demo-qualifications.yaml")
    created += load_catalogue(SCALE_CATALOGUE)
    return [qualification.code for qualification in created]


class _Criterion(NamedTuple):
    key: str
    kind: str
    unit_code: str | None
    snapshot: dict[str, Any]  # the unchanging part of the decision snapshot's entry


@dataclass
class _Qualification:
    id: int
    code: str
    level: int
    edition_id: int
    validity_years: int
    theory_pass_mark: int
    practical_pass_mark: int
    title: dict
    weight: float
    confirmation: float
    criteria: list[_Criterion]
    pathways: list[tuple[str, dict, dict]]  # code, text, rule
    snapshot: dict[str, Any]  # the edition and qualification parts of the decision snapshot
    certificate: dict[str, Any]  # what certificates copy from the decision snapshot


def _qualifications(rng: random.Random) -> list[_Qualification]:
    rows = db.session.scalars(
        select(Qualification)
        .join(Qualification.level)
        .where(Qualification.active.is_(True))
        .order_by(Qualification.code)
    ).all()
    per_level = Counter(qualification.level.number for qualification in rows)
    result = []
    for qualification in rows:
        level: FrameworkLevel = qualification.level
        edition: FrameworkEdition = level.edition
        criteria = [
            _Criterion(
                key=criterion.key,
                kind=criterion.kind,
                unit_code=criterion.code if criterion.kind == "unit" else None,
                snapshot={
                    "key": criterion.key,
                    "kind": criterion.kind,
                    "code": criterion.code,
                    "title": criterion.title if isinstance(criterion.title, dict) else descriptor_titles(criterion.key),
                    "text": criterion.text,
                    "skills": criterion.skills,
                    "knowledge": criterion.knowledge,
                },
            )
            for criterion in assessment_criteria(qualification)
        ]
        snapshot = {
            "edition": {"id": edition.id, "code": edition.code, "title": edition.title},
            "qualification": qualification_snapshot(qualification),
        }
        result.append(
            _Qualification(
                id=qualification.id,
                code=qualification.code,
                level=level.number,
                edition_id=edition.id,
                validity_years=qualification.validity_years,
                theory_pass_mark=qualification.theory_pass_mark,
                practical_pass_mark=qualification.practical_pass_mark,
                title=qualification.title,
                weight=LEVEL_WEIGHTS[level.number] / per_level[level.number] * rng.uniform(0.6, 1.4),
                confirmation=min(0.95, max(0.3, LEVEL_CONFIRMATION[level.number] + rng.uniform(-0.08, 0.08))),
                criteria=criteria,
                pathways=[(pathway.code, pathway.text, pathway.rule) for pathway in level.pathways],
                snapshot=snapshot,
                certificate={
                    "qualification_code": qualification.code,
                    "qualification_title": qualification.title,
                    "nqf_level": level.number,
                    "eqf_level": level.eqf_level,
                    "edition_code": edition.code,
                    "edition_title": edition.title,
                    "professional_standard": qualification.professional_standard,
                },
            )
        )
    return result


# --- writing --------------------------------------------------------------------------------------------------------


class _Ids:
    """Primary keys for a table, handed out in blocks: from the table's sequence on PostgreSQL (so that later
    inserts by the application never collide), counting on from the largest id on SQLite."""

    def __init__(self, table: str, block: int = 10000) -> None:
        self.table, self.block, self.free = table, block, []
        self.postgresql = db.session.get_bind().dialect.name == "postgresql"
        self.next_sqlite = None

    def __call__(self) -> int:
        if not self.free:
            if self.postgresql:
                self.free = list(
                    db.session.scalars(
                        text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)"),
                        {"table": self.table, "n": self.block},
                    )
                )
            else:
                if self.next_sqlite is None:
                    self.next_sqlite = (db.session.scalar(text(f"SELECT max(id) FROM {self.table}")) or 0) + 1
                self.free = list(range(self.next_sqlite, self.next_sqlite + self.block))
                self.next_sqlite += self.block
            self.free.reverse()
        return self.free.pop()


class _Writer:
    """Collects rows per table and writes them, parents before children: with COPY on PostgreSQL (psycopg's
    executemany manages some 20,000 rows a second, COPY five times that), with Core executemany elsewhere."""

    def __init__(self) -> None:
        self.rows: dict[str, list[dict]] = defaultdict(list)
        self.counts: Counter = Counter()
        self.dialect = db.session.get_bind().dialect

    def add(self, table: str, row: dict) -> None:
        self.rows[table].append(row)

    def flush(self) -> None:
        for name in TABLES:
            rows = self.rows.pop(name, None)
            if not rows:
                continue
            table = db.metadata.tables[name]
            if self.dialect.name == "postgresql":
                self._copy(table, rows)
            else:
                for start in range(0, len(rows), INSERT_BATCH):
                    db.session.execute(insert(table), rows[start : start + INSERT_BATCH])
            self.counts[name] += len(rows)

    def _copy(self, table, rows: list[dict]) -> None:
        # Each value goes through its column type's bind processor (JSON, UTC timestamps), as an INSERT would.
        columns = [
            (name, table.c[name].type.dialect_impl(self.dialect).bind_processor(self.dialect)) for name in rows[0]
        ]
        names = ", ".join(f'"{name}"' for name, _ in columns)
        cursor = db.session.connection().connection.cursor()
        with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([process(row[name]) if process else row[name] for name, process in columns])


# --- time -----------------------------------------------------------------------------------------------------------


def _days(rng: random.Random, median: float, sigma: float = 0.6) -> timedelta:
    """A log-normally distributed waiting time: most close to the median, a few much longer."""
    return timedelta(days=median * math.exp(rng.gauss(0, sigma)))


def _office(rng: random.Random, moment: datetime) -> datetime:
    """The same moment if it falls in the centre's working hours, else a moment of the next working day."""
    local = moment + ALMATY
    if local.weekday() < 5 and 9 <= local.hour < 18:
        return moment
    day = local.date() if local.hour < 9 else local.date() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    start = datetime(day.year, day.month, day.day, 9, tzinfo=UTC) - ALMATY
    return start + timedelta(minutes=rng.randrange(0, 9 * 60))


def _awake(rng: random.Random, moment: datetime) -> datetime:
    """Candidates and assessors act between 08:00 and 23:00 Almaty time."""
    local = moment + ALMATY
    if 8 <= local.hour < 23:
        return moment
    day = local.date() if local.hour < 8 else local.date() + timedelta(days=1)
    start = datetime(day.year, day.month, day.day, 8, tzinfo=UTC) - ALMATY
    return start + timedelta(minutes=rng.randrange(0, 15 * 60))


# --- the generator --------------------------------------------------------------------------------------------------


class _History:
    """An application's moves up to now: a move that would happen after ``now`` is not made (and returns False)."""

    def __init__(self, application_id: int, now: datetime) -> None:
        self.application_id, self.now = application_id, now
        self.state = wf.DRAFT
        self.events: list[dict] = []

    def move(self, to_state: str, at: datetime, actor_id: int | None, reason: str | None = None) -> bool:
        if at > self.now:
            return False
        self.events.append(
            {
                "application_id": self.application_id,
                "at": at,
                "actor_id": actor_id,
                "from_state": self.state,
                "to_state": to_state,
                "reason": reason,
            }
        )
        self.state = to_state
        return True


class _Job(NamedTuple):
    employer: str
    position: str
    started_on: date
    ended_on: date | None


@dataclass
class _Candidate:
    profile_id: int
    user_id: int
    language: str
    full_name: str
    full_name_latin: str
    iin: str
    birth_date: date
    employer: str
    position: str
    education: list[dict]
    jobs: list[_Job]
    remaining: int  # applications still to come
    applications: list[tuple[int, str, datetime]] = field(default_factory=list)  # qualification id, state, since


class _Generator:
    def __init__(self, *, seed: int, batch: int, years: int, now: datetime) -> None:
        self.rng = random.Random(f"certcenter-demo:{seed}:{batch}")
        self.seed, self.batch, self.now, self.years = seed, batch, now, years
        self.today = now.date()
        self.start = now - timedelta(days=round(365.25 * years))
        self.writer = _Writer()
        self.ids = {
            name: _Ids(name)
            for name in ("users", "candidate_profiles", "applications", "assignments", "decisions", "certificates")
        }
        self.password_hash = hash_password(DEMO_PASSWORD)
        self.iins = set(db.session.scalars(text("SELECT iin FROM candidate_profiles")))
        self.qualifications = _qualifications(self.rng)
        if not self.qualifications:
            raise ValueError("no active qualification to apply for")
        self.by_id = {qualification.id: qualification for qualification in self.qualifications}
        self.weights = [qualification.weight for qualification in self.qualifications]
        self.certificates: list[dict] = []
        self.states: Counter = Counter()
        self.assessors: list[tuple[int, str]] = []
        self.administrators: list[tuple[int, str]] = []
        self.centre = centre_as_stated()

    # -- people --

    def _name(self, male: bool, kazakh: bool) -> tuple[str, str]:
        rng = self.rng
        if kazakh:
            given = rng.choice(KAZAKH_MALE if male else KAZAKH_FEMALE)
            father = rng.choice(KAZAKH_FATHERS)
            suffix = ("ұлы", "uly") if male else ("қызы", "kyzy")
            surname = rng.choice(KAZAKH_SURNAMES)
            patronymic = (father[0] + suffix[0], father[1] + suffix[1])
        else:
            given = rng.choice(RUSSIAN_MALE if male else RUSSIAN_FEMALE)
            forms = rng.choice(RUSSIAN_PATRONYMICS)
            patronymic = (forms[0], forms[2]) if male else (forms[1], forms[3])
            surname = rng.choice(RUSSIAN_SURNAMES)
        if not male and surname[0].endswith(("ов", "ев", "ин")):
            surname = (surname[0] + "а", surname[1] + "a")
        return f"{given[0]} {patronymic[0]} {surname[0]}", f"{given[1]} {patronymic[1]} {surname[1]}"

    def _user(self, email: str, full_name: str, roles: tuple[str, ...], created: datetime, locale: str | None) -> int:
        rng = self.rng
        user_id = self.ids["users"]()
        last_login = created + (self.now - created) * rng.random() if rng.random() < 0.8 else None
        self.writer.add(
            "users",
            {
                "id": user_id,
                "email": email,
                "full_name": full_name,
                "password_hash": self.password_hash,
                "active": True,
                "locale": locale,
                "must_change_password": False,
                "session_nonce": f"{rng.getrandbits(64):016x}",
                "last_login_at": last_login,
                "created_at": created,
                "updated_at": last_login or created,
            },
        )
        for role in roles:
            self.writer.add("user_roles", {"user_id": user_id, "role": role})
        return user_id

    def staff(self) -> None:
        """The assessor pool and the administrators: shared by every batch, created by the first."""
        pools = (
            (
                self.assessors,
                ASSESSOR,
                [f"assessor{number}@{EMAIL_DOMAIN}" for number in range(1, ASSESSOR_POOL + 1)],
            ),
            (
                self.administrators,
                ADMINISTRATOR,
                [f"admin{number}@{EMAIL_DOMAIN}" for number in range(1, ADMINISTRATOR_POOL + 1)],
            ),
        )
        emails = [email for _, _, addresses in pools for email in addresses]
        existing = {
            email: (user_id, full_name)
            for email, user_id, full_name in db.session.execute(
                select(User.email, User.id, User.full_name).where(User.email.in_(emails))
            )
        }
        created = self.start - timedelta(days=60)
        for pool, role, addresses in pools:
            for email in addresses:
                full_name, _ = self._name(self.rng.random() < 0.45, self.rng.random() < 0.7)
                if email not in existing:
                    existing[email] = (self._user(email, full_name, (role,), created, "ru"), full_name)
                pool.append(existing[email])

    def _iin(self, birth: date, male: bool) -> str:
        century = {1800: 1, 1900: 3, 2000: 5}[birth.year // 100 * 100] + (0 if male else 1)
        while True:
            first = f"{birth:%y%m%d}{century}{self.rng.randrange(10000):04d}"
            digit = check_digit(first)
            if digit is not None and first + str(digit) not in self.iins:
                number = first + str(digit)
                self.iins.add(number)
                return number

    def candidate(
        self, number: int, first_application: datetime, qualification: _Qualification, remaining: int
    ) -> _Candidate:
        """A new candidate: account, profile, education and experience fitting the level they first apply for."""
        rng = self.rng
        level = qualification.level
        male = rng.random() < 0.52
        kazakh = rng.random() < 0.72
        full_name, latin = self._name(male, kazakh)
        low, high = AGE_RANGE[level]
        age = int(rng.triangular(low, high, low + (high - low) * 0.35))
        birth = first_application.date() - timedelta(days=round(age * 365.25) + rng.randrange(365))
        registered = first_application - timedelta(days=rng.uniform(0.02, 30))
        language = rng.choices(("kk", "ru", "en", None), (0.5, 0.4, 0.02, 0.08))[0]
        given = latin.split()[0].lower()
        surname = latin.split()[-1].lower()
        email = f"{given}.{surname}.{self.batch}.{number}@{EMAIL_DOMAIN}"
        user_id = self._user(email, full_name, (CANDIDATE,), registered, language)

        _, codes, experience = rng.choices(PROFILES[level], [weight for weight, _, _ in PROFILES[level]])[0]
        codes = list(codes)
        years = rng.uniform(*experience)
        if rng.random() < 0.08:  # a weaker profile: these are the candidates who ask for an exception
            if len(codes) > 1 and rng.random() < 0.6:
                codes.pop()
            else:
                years = rng.uniform(0, 1) if rng.random() < 0.5 else 0
        city_kk, city_ru = rng.choice(CITIES)
        education = []
        for code in codes:
            year = min(birth.year + rng.randint(*COMPLETION_AGE[code]), first_application.year)
            if code in ("primary", "basic_secondary", "general_secondary"):
                institution = rng.choice(
                    [
                        f"{city_kk} қаласының № {rng.randint(1, 80)} мектеп-гимназиясы",
                        f"Средняя школа № {rng.randint(1, 80)} г. {city_ru}",
                    ]
                )
                speciality = ""
            elif code in ("technical_vocational", "post_secondary"):
                institution = rng.choice(COLLEGES).format(city=city_kk if rng.random() < 0.6 else city_ru)
                speciality = SPECIALITIES.get(qualification.code, "")
            elif code in TRAINING:
                institution = rng.choice(TRAINING_PROVIDERS)
                speciality = SPECIALITIES.get(qualification.code, "")
            else:
                institution = rng.choice(UNIVERSITIES)
                speciality = SPECIALITIES.get(qualification.code, "")
            education.append(
                {"level": code, "institution": institution, "speciality": speciality, "year_completed": year}
            )
        education.sort(key=lambda record: record["year_completed"])

        employer = rng.choice(EMPLOYERS)
        position = qualification.title["kk" if language == "kk" else "ru"]
        jobs = []
        if years > 0:
            end = first_application.date() - timedelta(days=rng.randrange(20, 60))
            career_start = max(end - timedelta(days=round(years * 365.25)), birth + timedelta(days=18 * 366))
            pieces = rng.choice((1, 1, 2, 2, 3)) if (end - career_start).days > 3 * 365 else 1
            edges = sorted(career_start + (end - career_start) * rng.random() for _ in range(pieces - 1))
            starts = [career_start, *edges]
            for index, started in enumerate(starts):
                current = index == len(starts) - 1
                ended = None if current else starts[index + 1] - timedelta(days=rng.randrange(1, 30))
                ended = None if ended is None else max(ended, started)
                jobs.append(
                    _Job(
                        employer if current else rng.choice(EMPLOYERS),
                        position if current else rng.choice(PAST_POSITIONS),
                        started,
                        ended,
                    )
                )
        profile_id = self.ids["candidate_profiles"]()
        profile = {
            "id": profile_id,
            "user_id": user_id,
            "full_name": full_name,
            "full_name_latin": latin,
            "iin": self._iin(birth, male),
            "birth_date": birth,
            "phone": f"+7 7{rng.choice(('01', '02', '05', '07', '08', '47', '71', '75', '76', '77', '78'))} "
            f"{rng.randrange(100, 1000)} {rng.randrange(10, 100)} {rng.randrange(10, 100)}",
            "employer": employer if jobs else None,
            "position": position if jobs else None,
            "created_at": registered + timedelta(minutes=rng.randrange(2, 60)),
            "updated_at": registered + timedelta(minutes=rng.randrange(60, 600)),
        }
        self.writer.add("candidate_profiles", profile)
        for record in education:
            self.writer.add(
                "education_records",
                record
                | {
                    "candidate_id": profile_id,
                    "document_id": None,
                    "created_at": profile["created_at"],
                    "updated_at": profile["created_at"],
                },
            )
        for job in jobs:
            self.writer.add(
                "experience_records",
                {
                    "candidate_id": profile_id,
                    "employer": job.employer,
                    "position": job.position,
                    "started_on": job.started_on,
                    "ended_on": job.ended_on,
                    "description": "",
                    "created_at": profile["created_at"],
                    "updated_at": profile["created_at"],
                },
            )
        return _Candidate(
            profile_id=profile_id,
            user_id=user_id,
            language=language or "kk",
            full_name=full_name,
            full_name_latin=latin,
            iin=profile["iin"],
            birth_date=birth,
            employer=profile["employer"],
            position=profile["position"],
            education=education,
            jobs=jobs,
            remaining=remaining,
        )

    # -- eligibility --

    def _eligibility(self, candidate: _Candidate, qualification: _Qualification, day: date) -> dict[str, Any]:
        facts = Facts(
            education=frozenset(record["level"] for record in candidate.education),
            experience_days=experience_days(candidate.jobs, day),
        )
        results = []
        with force_locale(candidate.language):
            for code, text_, rule in qualification.pathways:
                outcome = evaluate(rule, facts)
                missing = [] if outcome.met else [describe_shortfall(short, facts) for short in outcome.shortfalls]
                results.append(PathwayResult(code=code, text=text_, met=outcome.met, missing=missing))
        outcomes = [result.met for result in results]
        status = ELIGIBLE if True in outcomes else NEEDS_REVIEW if None in outcomes else INELIGIBLE
        return Eligibility(status=status, pathways=results, facts=facts).snapshot()

    def _profile_snapshot(self, candidate: _Candidate) -> dict[str, Any]:
        return {
            "full_name": candidate.full_name,
            "full_name_latin": candidate.full_name_latin,
            "iin": candidate.iin,
            "birth_date": candidate.birth_date.isoformat(),
            "employer": candidate.employer,
            "position": candidate.position,
            "education": [record | {"document_id": None} for record in candidate.education],
            "experience": [
                {
                    "employer": job.employer,
                    "position": job.position,
                    "started_on": job.started_on.isoformat(),
                    "ended_on": job.ended_on.isoformat() if job.ended_on else None,
                }
                for job in candidate.jobs
            ],
        }

    # -- applications --

    def choose_qualification(self, candidate: _Candidate | None, created: datetime) -> _Qualification:
        rng = self.rng
        if candidate is None or not candidate.applications:
            return rng.choices(self.qualifications, self.weights)[0]
        # Open applications block their qualification (one at a time); a refused one may be tried again.
        blocked = {
            qualification_id
            for qualification_id, state, since in candidate.applications
            if not (state in (wf.NOT_CONFIRMED, wf.NOT_ELIGIBLE, wf.WITHDRAWN) and since < created)
        }
        retry = [
            qualification_id
            for qualification_id, state, since in candidate.applications
            if qualification_id not in blocked and state != wf.WITHDRAWN
        ]
        if retry and rng.random() < 0.6:
            return self.by_id[retry[-1]]
        level = self.by_id[candidate.applications[-1][0]].level
        options = [q for q in self.qualifications if q.id not in blocked and level <= q.level <= level + 1]
        options = options or [q for q in self.qualifications if q.id not in blocked] or self.qualifications
        return rng.choice(options)

    def application(self, candidate: _Candidate, qualification: _Qualification, created: datetime) -> None:
        """One application's life from its creation up to now, written as rows."""
        rng, now = self.rng, self.now
        application_id = self.ids["applications"]()
        candidate_id = candidate.user_id
        history = _History(application_id, now)
        move = history.move
        row: dict[str, Any] = {
            "id": application_id,
            "candidate_id": candidate.profile_id,
            "qualification_id": qualification.id,
            "edition_id": qualification.edition_id,
            "form_token": None,
            "submitted_at": None,
            "eligibility_status": None,
            "eligibility": {},
            "profile_snapshot": {},
            "exception_request": None,
            "exception_granted": None,
            "created_at": created,
        }

        def finish() -> None:
            last = history.events[-1]["at"] if history.events else created
            row.update(state=history.state, state_changed_at=last, updated_at=last, version=1 + len(history.events))
            self.writer.add("applications", row)
            for event in history.events:
                self.writer.add("application_events", event)
            self.states[history.state] += 1
            candidate.applications.append((qualification.id, history.state, last))

        # draft: a few are abandoned or withdrawn; the rest are submitted within days
        draw = rng.random()
        if draw < 0.035:
            return finish()
        if draw < 0.055:
            move(wf.WITHDRAWN, _awake(rng, created + _days(rng, 9)), candidate_id)
            return finish()
        moment = _awake(rng, created + _days(rng, 3, 1.0))
        if moment > now:
            return finish()
        row["eligibility"] = self._eligibility(candidate, qualification, moment.date())
        row["eligibility_status"] = eligibility = row["eligibility"]["status"]
        row["profile_snapshot"] = self._profile_snapshot(candidate)
        row["submitted_at"] = moment
        admin = rng.choice(self.administrators)[0]
        if eligibility == INELIGIBLE:
            row["exception_request"] = request = rng.choice(EXCEPTION_REQUESTS)
            move(wf.EXCEPTION_REQUESTED, moment, candidate_id, request)
            moment = _office(rng, moment + _days(rng, 5))
            if rng.random() < 0.05:
                move(wf.WITHDRAWN, moment, candidate_id)
                return finish()
            grant = rng.random() < 0.4
            reason = rng.choice(EXCEPTION_GRANTED if grant else EXCEPTION_REFUSED)
            if not move(wf.SUBMITTED if grant else wf.NOT_ELIGIBLE, moment, admin, reason):
                return finish()
            row["exception_granted"] = grant
            if not grant:
                return finish()
        else:
            move(wf.SUBMITTED, moment, candidate_id)

        # screening by an administrator: refused, withdrawn, or two assessors assigned
        moment = _office(rng, moment + _days(rng, 2))
        draw = rng.random()
        if (eligibility == NEEDS_REVIEW and draw < 0.35) or draw < 0.012:
            reasons = RECOGNITION_REFUSALS if eligibility == NEEDS_REVIEW else SCREENING_REFUSALS
            move(wf.NOT_ELIGIBLE, moment, admin, rng.choice(reasons))
            return finish()
        if draw < 0.025:
            move(wf.WITHDRAWN, _awake(rng, moment), candidate_id)
            return finish()
        self._assessment(candidate, qualification, row, history, moment, admin)
        return finish()

    def _assessment(
        self,
        candidate: _Candidate,
        qualification: _Qualification,
        row: dict[str, Any],
        history: _History,
        moment: datetime,
        admin: int,
    ) -> None:
        """Assignments, judgements, results, final ratings, moderation, decision, certificate, appeal."""
        rng, now, move = self.rng, self.now, history.move
        application_id = row["id"]
        cut = now
        first, second = rng.sample(self.assessors, 2)
        assignments = [
            {"assessor": first, "assigned_at": moment},
            {"assessor": second, "assigned_at": moment + timedelta(minutes=rng.randrange(1, 40))},
        ]
        taken = {first[0], second[0]}
        for assignment in list(assignments):
            assignment["declared_at"] = _awake(rng, assignment["assigned_at"] + _days(rng, 1, 0.8))
            if rng.random() < 0.02:  # a declared conflict of interest: another assessor is assigned
                assignment["conflict"] = rng.choice(CONFLICTS)
                replacement = rng.choice([a for a in self.assessors if a[0] not in taken])
                taken.add(replacement[0])
                assigned_at = _office(rng, assignment["declared_at"] + _days(rng, 1, 0.5))
                assignments.append(
                    {
                        "assessor": replacement,
                        "assigned_at": assigned_at,
                        "declared_at": _awake(rng, assigned_at + _days(rng, 1, 0.8)),
                    }
                )
        counting = [a for a in assignments if "conflict" not in a]
        # The application moves into assessment when its second assessor is assigned.
        started = assignments[1]["assigned_at"]
        move(wf.IN_ASSESSMENT, started, admin)
        # The first assessor assigned leads; when the lead declares a conflict, the next one takes over.
        lead = counting[0]["assessor"]

        theory_on = (started + _days(rng, 10, 0.3)).date()
        practical_on = theory_on + timedelta(days=rng.randrange(0, 8))
        results_recorded = _office(rng, datetime(*practical_on.timetuple()[:3], 6, tzinfo=UTC) + _days(rng, 1, 0.5))
        ready = max(results_recorded, *(a["declared_at"] for a in counting))
        for assignment in counting:
            assignment["submitted_at"] = _awake(rng, ready + _days(rng, 4, 0.7))
        closed = max(a["submitted_at"] for a in counting)
        if rng.random() < 0.012:  # withdrawn while being assessed
            withdrawn = _awake(rng, started + (closed - started) * rng.random())
            if move(wf.WITHDRAWN, withdrawn, candidate.user_id):
                cut = withdrawn

        # What the evidence really shows (confirmation rates improve a little over the period), and how each
        # assessor sees it.
        progress = (row["created_at"] - self.start) / (now - self.start)
        passed = rng.random() < qualification.confirmation + 0.04 * (progress - 0.5)
        failing_criteria: set[str] = set()
        failing_results: set[str] = set()
        if not passed:
            mode = rng.random()
            if mode < 0.7:
                pool = [c.key for c in qualification.criteria]
                failing_criteria = set(rng.sample(pool, rng.choice((1, 1, 1, 2))))
            if mode >= 0.45:
                failing_results = (
                    {rng.choice((THEORY, THEORY, PRACTICAL))} if rng.random() < 0.85 else {THEORY, PRACTICAL}
                )
        truth = {
            c.key: (rng.choice((PARTIALLY_MET, PARTIALLY_MET, NOT_MET)) if c.key in failing_criteria else MET)
            for c in qualification.criteria
        }
        # per criterion, each counting assessor's (rating, met at level, justification)
        ratings: dict[str, list[tuple[str, int | None, str]]] = {}
        for criterion in qualification.criteria:
            true = truth[criterion.key]
            values = [true, true]
            if rng.random() > (0.88 if true == MET else 0.6):
                odd = {MET: PARTIALLY_MET, NOT_MET: PARTIALLY_MET}.get(true) or rng.choice((MET, MET, NOT_MET))
                values[rng.randrange(2)] = odd
            ratings[criterion.key] = [
                (
                    value,
                    self._met_at_level(criterion, value, qualification.level),
                    rng.choice(JUSTIFICATIONS[value]),
                )
                for value in values
            ]

        # assignments and their judgements, as far as they have got by now
        submitted_assignments = []
        lead_by_now = next(
            (a for a in assignments if a["assigned_at"] <= cut and not ("conflict" in a and a["declared_at"] <= cut)),
            None,
        )
        for assignment in assignments:
            if assignment["assigned_at"] > cut:
                continue
            assignment_id = self.ids["assignments"]()
            declared = assignment["declared_at"] <= cut
            conflict = assignment.get("conflict") if declared else None
            submitted = declared and not conflict and assignment["submitted_at"] <= cut
            status = "pending" if not declared else "conflict" if conflict else "submitted" if submitted else "active"
            self.writer.add(
                "assignments",
                {
                    "id": assignment_id,
                    "application_id": application_id,
                    "assessor_id": assignment["assessor"][0],
                    "assigned_by_id": admin,
                    "assigned_at": assignment["assigned_at"],
                    "is_lead": assignment is lead_by_now,
                    "status": status,
                    "declared_at": assignment["declared_at"] if declared else None,
                    "conflict_kind": conflict[0] if conflict else None,
                    "conflict_note": conflict[1] if conflict else None,
                    "draft_saved_at": assignment["submitted_at"] - timedelta(minutes=rng.randrange(2, 90))
                    if submitted
                    else None,
                    "submitted_at": assignment["submitted_at"] if submitted else None,
                },
            )
            if submitted:
                position = counting.index(assignment)
                submitted_assignments.append((assignment, position))
                for criterion in qualification.criteria:
                    value, met_at_level, justification = ratings[criterion.key][position]
                    self.writer.add(
                        "criterion_ratings",
                        {
                            "assignment_id": assignment_id,
                            "criterion_key": criterion.key,
                            "rating": value,
                            "justification": justification,
                            "evidence_ids": [],
                            "met_at_level": met_at_level,
                        },
                    )
        results = {}
        if results_recorded <= cut:
            for kind, taken_on, pass_mark in (
                (THEORY, theory_on, qualification.theory_pass_mark),
                (PRACTICAL, practical_on, qualification.practical_pass_mark),
            ):
                if kind in failing_results:
                    percent = pass_mark - 1 - int(rng.betavariate(1.5, 3) * (pass_mark - 25))
                else:
                    percent = min(100, pass_mark + int(rng.betavariate(2, 2.2) * (101 - pass_mark)))
                results[kind] = {
                    "application_id": application_id,
                    "kind": kind,
                    "percent": percent,
                    "taken_on": taken_on,
                    "notes": rng.choice(PRACTICAL_NOTES) if kind == PRACTICAL else "",
                    "recorded_by_id": lead[0],
                    "recorded_at": results_recorded + timedelta(minutes=5 if kind == PRACTICAL else 0),
                }
                self.writer.add("assessment_results", results[kind])
        if cut < closed or history.state != wf.IN_ASSESSMENT:
            return

        # marking closes: agreed criteria are final, the others wait for moderation
        disagreements = [key for key, pair in ratings.items() if pair[0][0] != pair[1][0]]
        target = wf.MODERATION if disagreements else wf.AWAITING_DECISION
        move(target, closed, None)
        finals = {}
        for criterion in qualification.criteria:
            pair = ratings[criterion.key]
            agreed = pair[0][0] == pair[1][0]
            levels = [level for _, level, _ in pair if level]
            finals[criterion.key] = {
                "application_id": application_id,
                "criterion_key": criterion.key,
                "agreed": agreed,
                "rating": pair[0][0] if agreed else None,
                "met_at_level": min(levels) if agreed and levels else None,
                "moderated_by_id": None,
                "moderated_at": None,
                "moderation_reason": None,
            }
        moderator = None
        awaiting = closed
        if disagreements:
            moderator = lead if rng.random() < 0.8 else rng.choice(self.administrators)
            moderated = _office(rng, closed + _days(rng, 3))
            # one criterion every two minutes; the last one moves the application on
            last = moderated + timedelta(minutes=2 * (len(disagreements) - 1))
            if last <= now:
                for offset, key in enumerate(disagreements):
                    criterion = next(c for c in qualification.criteria if c.key == key)
                    true = truth[key]
                    value = true if rng.random() < 0.9 else next(v for v, _, _ in ratings[key] if v != true)
                    finals[key].update(
                        rating=value,
                        met_at_level=self._met_at_level(criterion, value, qualification.level),
                        moderated_by_id=moderator[0],
                        moderated_at=moderated + timedelta(minutes=2 * offset),
                        moderation_reason=rng.choice(MODERATION_REASONS),
                    )
                awaiting = last
                move(wf.AWAITING_DECISION, awaiting, moderator[0])
        for final in finals.values():
            self.writer.add("final_ratings", final)
        if history.state != wf.AWAITING_DECISION:
            return

        # the decision, by an administrator who neither assessed nor moderated
        deciders = [a for a in self.administrators if moderator is None or a[0] != moderator[0]]
        decider = rng.choice(deciders)
        decided = _office(rng, awaiting + _days(rng, 4))
        if decided > now:
            return
        recommendation = self._recommend(qualification, row, finals, results)
        outcome = recommendation["outcome"]
        deviation = None
        reasons = recommendation["reasons"]
        only_eligibility = all(reason["code"] == "eligibility" for reason in reasons)
        if outcome == "not_confirmed" and only_eligibility and rng.random() < 0.8:
            outcome, deviation = "confirmed", rng.choice(RECOGNITION_ACCEPTED)
        comment = rng.choice(DECISION_COMMENTS) if outcome == "not_confirmed" and rng.random() < 0.3 else ""
        decision_id = self.ids["decisions"]()
        snapshot = qualification.snapshot | {
            "eligibility": row["eligibility"],
            "exception_granted": row["exception_granted"],
            "criteria": [
                criterion.snapshot
                | {
                    "final": finals[criterion.key]["rating"],
                    "agreed": finals[criterion.key]["agreed"],
                    "moderation_reason": finals[criterion.key]["moderation_reason"],
                    "assessors": [
                        {
                            "assessor": assignment["assessor"][1],
                            "rating": ratings[criterion.key][position][0],
                            "justification": ratings[criterion.key][position][2],
                            "evidence_ids": [],
                        }
                        for assignment, position in submitted_assignments
                    ],
                }
                for criterion in qualification.criteria
            ],
            "results": [
                {"kind": r["kind"], "percent": r["percent"], "taken_on": r["taken_on"].isoformat(), "notes": r["notes"]}
                for r in results.values()
            ],
            "evidence": [],
            "recommendation": recommendation,
        }
        self.writer.add(
            "decisions",
            {
                "id": decision_id,
                "application_id": application_id,
                "edition_id": qualification.edition_id,
                "outcome": outcome,
                "recommended_outcome": recommendation["outcome"],
                "reasons": reasons,
                "advice_level": recommendation["advice_level"],
                "deviation_reason": deviation,
                "comment": comment,
                "decided_by_id": decider[0],
                "decided_at": decided,
                "snapshot": snapshot,
            },
        )
        target = wf.CONFIRMED if outcome == "confirmed" else wf.NOT_CONFIRMED
        move(target, decided, decider[0], deviation or comment or None)

        if outcome == "confirmed":
            issuer = rng.choice(self.administrators)[0]
            issued = _office(rng, decided + _days(rng, 2))
            if move(wf.CERTIFIED, issued, issuer):
                self._plan_certificate(candidate, qualification, application_id, decision_id, decided, issued, issuer)
            return
        if rng.random() < 0.1:  # an appeal
            appealed = _awake(rng, decided + _days(rng, 8))
            if not move(wf.APPEALED, appealed, candidate.user_id, rng.choice(APPEALS)):
                return
            resolved = _office(rng, appealed + _days(rng, 10))
            # An application has one decision (decisions.application_id is unique) and nothing re-decides it yet:
            # an upheld appeal leaves it in assessment. Only recent appeals are upheld, so that none waits there
            # for years.
            if rng.random() < 0.3 and resolved > now - timedelta(days=120):
                move(wf.IN_ASSESSMENT, resolved, rng.choice(deciders)[0], rng.choice(APPEAL_UPHELD))
            else:
                move(wf.NOT_CONFIRMED, resolved, rng.choice(deciders)[0], rng.choice(APPEAL_DISMISSED))

    @staticmethod
    def _met_at_level(criterion: _Criterion, value: str, target: int) -> int | None:
        if criterion.kind != "descriptor" or value == MET or target <= 1:
            return None
        return target - 1 if value == PARTIALLY_MET else max(1, target - 2)

    @staticmethod
    def _recommend(qualification: _Qualification, row: dict, finals: dict, results: dict) -> dict[str, Any]:
        """As ``assessments.services.recommend`` does it, from the rows being generated."""
        reasons: list[dict[str, Any]] = []
        if not (row["eligibility_status"] == ELIGIBLE or row["exception_granted"]):
            reasons.append({"code": "eligibility", "status": row["eligibility_status"]})
        for criterion in qualification.criteria:
            final = finals[criterion.key]
            if final["rating"] != MET:
                reasons.append(
                    {"code": "criterion", "key": criterion.key, "unit": criterion.unit_code, "rating": final["rating"]}
                )
        pass_marks = ((THEORY, qualification.theory_pass_mark), (PRACTICAL, qualification.practical_pass_mark))
        for kind, pass_mark in pass_marks:
            result = results.get(kind)
            if result is None:
                reasons.append({"code": "result_missing", "kind": kind})
            elif result["percent"] < pass_mark:
                reasons.append(
                    {"code": "result_below", "kind": kind, "percent": result["percent"], "pass_mark": pass_mark}
                )
        if not reasons:
            return {"outcome": "confirmed", "reasons": [], "advice_level": None}
        target = qualification.level
        levels = [
            target if finals[key]["rating"] == MET else (finals[key]["met_at_level"] or 0)
            for key in ("descriptor:competence", "descriptor:skills", "descriptor:knowledge")
        ]
        advice = min(levels)
        return {
            "outcome": "not_confirmed",
            "reasons": reasons,
            "advice_level": advice if 1 <= advice < target else None,
        }

    # -- certificates --

    def _plan_certificate(
        self,
        candidate: _Candidate,
        qualification: _Qualification,
        application_id: int,
        decision_id: int,
        decided: datetime,
        issued: datetime,
        issuer: int,
    ) -> None:
        """The certificate and its later life (revoked, reissued, suspended, expired); numbers are given at the end,
        in the order of issue."""
        rng, now, today = self.rng, self.now, self.today
        issued_on = issued.date()
        expires_on = add_years(issued_on, qualification.validity_years)
        common = {
            "decision_id": decision_id,
            "application_id": application_id,
            "holder_name": candidate.full_name,
            "holder_name_latin": candidate.full_name_latin,
            "iin_last4": candidate.iin[-4:],
            **qualification.certificate,
            "centre": self.centre,
            "decided_on": decided.date(),
            "status_reason": None,
            "status_changed_at": None,
            "replaces_id": None,
            "render_status": FAILED,
            "render_attempts": 0,
            "render_error": RENDER_NOTE,
            "storage_key": None,
            "sha256": None,
            "size": None,
            "rendered_at": None,
        }
        first = common | {
            "generation": 1,
            "issued_on": issued_on,
            "expires_on": expires_on,
            "english": rng.random() < 0.08,
            "status": VALID,
            "issued_by_id": issuer,
            "created_at": issued,
            "verification_code": self._code(),
        }
        self.certificates.append(first)
        in_force_until = min(now, datetime(*expires_on.timetuple()[:3], tzinfo=UTC))
        draw = rng.random()
        changed = _office(rng, issued + (in_force_until - issued) * rng.random())
        current = first
        if draw < 0.006 and changed < in_force_until:
            first.update(status=REVOKED, status_reason=rng.choice(REVOCATIONS), status_changed_at=changed)
            return
        if draw < 0.03 and changed < in_force_until and changed.date() < expires_on:
            reason = rng.choice(REISSUES)
            first.update(status=SUPERSEDED, status_reason=reason, status_changed_at=changed)
            current = common | {
                "generation": 2,
                "issued_on": changed.date(),
                "expires_on": expires_on,  # a replacement does not extend the validity
                "english": first["english"] or reason == REISSUES[2],
                "status": VALID,
                "issued_by_id": rng.choice(self.administrators)[0],
                "created_at": changed,
                "verification_code": self._code(),
                "replaces": first,
            }
            self.certificates.append(current)
        if current["expires_on"] < today:
            expired = datetime(*(current["expires_on"] + timedelta(days=1)).timetuple()[:3], 0, 5, tzinfo=UTC)
            current.update(status=EXPIRED, status_changed_at=min(expired, now))
        elif draw > 0.985 and changed < now:
            suspended = max(changed, current["created_at"])
            current.update(status=SUSPENDED, status_reason=rng.choice(SUSPENSIONS), status_changed_at=suspended)

    def _code(self) -> str:
        return base64.urlsafe_b64encode(self.rng.getrandbits(144).to_bytes(18, "big")).decode()

    def write_certificates(self) -> None:
        """Number the certificates in the order of issue, taking each year's numbers from its series in one step
        (under the series row's lock), so that certificates issued later continue the sequence."""
        self.certificates.sort(key=lambda certificate: certificate["created_at"])
        per_year = Counter(certificate["issued_on"].year for certificate in self.certificates)
        next_numbers = {year: reserve_block(year, count) for year, count in sorted(per_year.items())}
        for certificate in self.certificates:
            year = certificate["issued_on"].year
            certificate["id"] = self.ids["certificates"]()
            certificate["number"] = format_number(year, next_numbers[year])
            next_numbers[year] += 1
            replaces = certificate.pop("replaces", None)
            if replaces is not None:
                certificate["replaces_id"] = replaces["id"]
            self.writer.add("certificates", certificate)
        self.writer.flush()


# --- the verb -------------------------------------------------------------------------------------------------------


def _creation_times(rng: random.Random, count: int, start: datetime, now: datetime) -> list[datetime]:
    """When applications are opened: demand grows over the period, dips in January and the summer, and is lower
    at weekends; candidates apply between 08:00 and 23:00 Almaty time."""
    span = (now - start).total_seconds()
    times = []
    while len(times) < count:
        # inverse of the distribution function of a density growing linearly by GROWTH over the period
        u = rng.random()
        x = (math.sqrt(1 + GROWTH * (2 + GROWTH) * u) - 1) / GROWTH
        moment = start + timedelta(seconds=span * x)
        local = moment + ALMATY
        weekend = 0.45 if local.weekday() >= 5 else 1.0
        if rng.random() * 1.15 > MONTH_DEMAND[local.month] * weekend:
            continue
        hour = rng.choices(range(8, 23), (2, 4, 6, 7, 7, 6, 6, 6, 6, 5, 5, 6, 6, 5, 3))[0]
        local = datetime(local.year, local.month, local.day, hour, rng.randrange(60), rng.randrange(60), tzinfo=UTC)
        moment = local - ALMATY
        if moment < now:
            times.append(moment)
    return times


def generate(
    applications: int,
    seed: int = 1,
    *,
    years: int = 3,
    now: datetime | None = None,
    progress: Callable[[str], None] | None = None,
) -> Summary:
    """Add a batch of ``applications`` applications (with their candidates and everything that follows from them)
    dated over the last ``years`` years up to ``now``. Loads the framework and catalogues first if missing.
    Does not commit."""
    if applications < 1:
        raise ValueError("the number of applications must be positive")
    started = time.perf_counter()
    new_qualifications = ensure_reference_data()
    db.session.flush()
    batches = db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == AUDIT_ACTION))
    batch = 1 + (batches or 0)
    generator = _Generator(seed=seed, batch=batch, years=years, now=now or utcnow())
    rng = generator.rng
    generator.staff()
    generator.writer.flush()

    # Who applies when: most candidates apply once, some again later (a retry or the next level).
    plan: list[tuple[datetime, int]] = []
    for number, first in enumerate(_creation_times(rng, applications, generator.start, generator.now)):
        if len(plan) >= applications:
            break
        times = [first]
        for _ in range(rng.choices((0, 1, 2), (0.88, 0.1, 0.02))[0]):
            later = times[-1] + timedelta(days=rng.uniform(90, 540))
            if later < generator.now and len(plan) + len(times) < applications:
                times.append(later)
        plan.extend((moment, number) for moment in times)
    plan.sort()
    remaining = Counter(number for _, number in plan)

    candidates: dict[int, _Candidate] = {}
    for start in range(0, len(plan), CHUNK):
        for created, number in plan[start : start + CHUNK]:
            candidate = candidates.get(number)
            qualification = generator.choose_qualification(candidate, created)
            if candidate is None:
                candidate = candidates[number] = generator.candidate(number, created, qualification, remaining[number])
            generator.application(candidate, qualification, created)
            candidate.remaining -= 1
            if not candidate.remaining:
                del candidates[number]
        generator.writer.flush()
        if progress:
            progress(f"  {min(start + CHUNK, len(plan)):>7} / {len(plan)} applications")
    generator.write_certificates()

    rows = {name: generator.writer.counts[name] for name in TABLES}
    statuses = Counter(certificate["status"] for certificate in generator.certificates)
    summary = Summary(
        batch=batch,
        seed=seed,
        applications=len(plan),
        rows=rows,
        states=dict(sorted(generator.states.items(), key=lambda item: wf.STATES.index(item[0]))),
        certificate_statuses=dict(statuses),
        seconds=0.0,
        new_qualifications=new_qualifications,
    )
    audit.record(
        AUDIT_ACTION,
        actor=None,
        batch=batch,
        seed=seed,
        years=years,
        applications=len(plan),
        rows=rows,
        qualifications_created=new_qualifications,
    )
    db.session.flush()
    summary.seconds = time.perf_counter() - started
    return summary
