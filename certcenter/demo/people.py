"""The demo-scale data set's people: the staff pools (assessors, administrators) shared by every batch, and
candidates with an account, a profile, education and experience that fit the level they first apply for."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import select, text

from certcenter.accounts.models import ADMINISTRATOR, ASSESSOR, CANDIDATE, User
from certcenter.accounts.services import hash_password
from certcenter.candidates.iin import check_digit
from certcenter.demo.context import Context
from certcenter.demo.names import person_name
from certcenter.demo.qualifications import DemoQualification
from certcenter.demo.small import DEMO_PASSWORD
from certcenter.extensions import db

EMAIL_DOMAIN = "scale.demo.certcenter.kz"
ASSESSOR_POOL = 60
ADMINISTRATOR_POOL = 8

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


class Job(NamedTuple):
    employer: str
    position: str
    started_on: date
    ended_on: date | None


@dataclass
class Candidate:
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
    jobs: list[Job]
    remaining: int  # applications still to come
    applications: list[tuple[int, str, datetime]] = field(default_factory=list)  # qualification id, state, since


class Staff(NamedTuple):
    """(user id, full name) of each member of the pools."""

    assessors: list[tuple[int, str]]
    administrators: list[tuple[int, str]]


class People:
    """Writes accounts and candidate profiles. Every account has the password ``DEMO_PASSWORD`` (one hash, computed
    once); IINs are valid and unique, also against the profiles already in the database."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self.password_hash = hash_password(DEMO_PASSWORD)
        self.iins = set(db.session.scalars(text("SELECT iin FROM candidate_profiles")))

    def staff(self) -> Staff:
        """The assessor pool and the administrators: shared by every batch, created by the first."""
        rng = self.context.rng
        staff = Staff(assessors=[], administrators=[])
        pools = (
            (
                staff.assessors,
                ASSESSOR,
                [f"assessor{number}@{EMAIL_DOMAIN}" for number in range(1, ASSESSOR_POOL + 1)],
            ),
            (
                staff.administrators,
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
        created = self.context.start - timedelta(days=60)
        for pool, role, addresses in pools:
            for email in addresses:
                full_name, _ = person_name(rng, rng.random() < 0.45, rng.random() < 0.7)
                if email not in existing:
                    existing[email] = (self._user(email, full_name, (role,), created, "ru"), full_name)
                pool.append(existing[email])
        return staff

    def _user(self, email: str, full_name: str, roles: tuple[str, ...], created: datetime, locale: str | None) -> int:
        rng, now = self.context.rng, self.context.now
        user_id = self.context.ids["users"]()
        last_login = created + (now - created) * rng.random() if rng.random() < 0.8 else None
        self.context.writer.add(
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
            self.context.writer.add("user_roles", {"user_id": user_id, "role": role})
        return user_id

    def _iin(self, birth: date, male: bool) -> str:
        century = {1800: 1, 1900: 3, 2000: 5}[birth.year // 100 * 100] + (0 if male else 1)
        while True:
            first = f"{birth:%y%m%d}{century}{self.context.rng.randrange(10000):04d}"
            digit = check_digit(first)
            if digit is not None and first + str(digit) not in self.iins:
                number = first + str(digit)
                self.iins.add(number)
                return number

    def candidate(
        self, number: int, first_application: datetime, qualification: DemoQualification, remaining: int
    ) -> Candidate:
        """A new candidate: account, profile, education and experience fitting the level they first apply for."""
        rng = self.context.rng
        level = qualification.level
        male = rng.random() < 0.52
        kazakh = rng.random() < 0.72
        full_name, latin = person_name(rng, male, kazakh)
        low, high = AGE_RANGE[level]
        age = int(rng.triangular(low, high, low + (high - low) * 0.35))
        birth = first_application.date() - timedelta(days=round(age * 365.25) + rng.randrange(365))
        registered = first_application - timedelta(days=rng.uniform(0.02, 30))
        language = rng.choices(("kk", "ru", "en", None), (0.5, 0.4, 0.02, 0.08))[0]
        given = latin.split()[0].lower()
        surname = latin.split()[-1].lower()
        email = f"{given}.{surname}.{self.context.batch}.{number}@{EMAIL_DOMAIN}"
        user_id = self._user(email, full_name, (CANDIDATE,), registered, language)

        codes, years = self._background(level)
        education = self._education(codes, birth, first_application, qualification.code)
        employer = rng.choice(EMPLOYERS)
        position = qualification.title["kk" if language == "kk" else "ru"]
        jobs = self._jobs(years, birth, first_application, employer, position)
        profile = self._profile(
            user_id, full_name, latin, birth, male, registered, (employer, position) if jobs else None
        )
        self._write_records(profile, education, jobs)
        return Candidate(
            profile_id=profile["id"],
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

    def _background(self, level: int) -> tuple[list[str], float]:
        """The education codes and the years of experience a candidate brings to the level."""
        rng = self.context.rng
        _, codes, experience = rng.choices(PROFILES[level], [weight for weight, _, _ in PROFILES[level]])[0]
        codes = list(codes)
        years = rng.uniform(*experience)
        if rng.random() < 0.08:  # a weaker profile: these are the candidates who ask for an exception
            if len(codes) > 1 and rng.random() < 0.6:
                codes.pop()
            else:
                years = rng.uniform(0, 1) if rng.random() < 0.5 else 0
        return codes, years

    def _education(
        self, codes: list[str], birth: date, first_application: datetime, qualification_code: str
    ) -> list[dict]:
        rng = self.context.rng
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
                speciality = SPECIALITIES.get(qualification_code, "")
            elif code in TRAINING:
                institution = rng.choice(TRAINING_PROVIDERS)
                speciality = SPECIALITIES.get(qualification_code, "")
            else:
                institution = rng.choice(UNIVERSITIES)
                speciality = SPECIALITIES.get(qualification_code, "")
            education.append(
                {"level": code, "institution": institution, "speciality": speciality, "year_completed": year}
            )
        education.sort(key=lambda record: record["year_completed"])
        return education

    def _jobs(self, years: float, birth: date, first_application: datetime, employer: str, position: str) -> list[Job]:
        """``years`` of experience up to shortly before the first application, in one to three jobs; the last one
        is the current job."""
        rng = self.context.rng
        if years <= 0:
            return []
        jobs = []
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
                Job(
                    employer if current else rng.choice(EMPLOYERS),
                    position if current else rng.choice(PAST_POSITIONS),
                    started,
                    ended,
                )
            )
        return jobs

    def _profile(
        self,
        user_id: int,
        full_name: str,
        latin: str,
        birth: date,
        male: bool,
        registered: datetime,
        job: tuple[str, str] | None,
    ) -> dict:
        """The profile row; ``job`` is the current (employer, position), None for a candidate without experience."""
        rng = self.context.rng
        profile = {
            "id": self.context.ids["candidate_profiles"](),
            "user_id": user_id,
            "full_name": full_name,
            "full_name_latin": latin,
            "iin": self._iin(birth, male),
            "birth_date": birth,
            "phone": f"+7 7{rng.choice(('01', '02', '05', '07', '08', '47', '71', '75', '76', '77', '78'))} "
            f"{rng.randrange(100, 1000)} {rng.randrange(10, 100)} {rng.randrange(10, 100)}",
            "employer": job[0] if job else None,
            "position": job[1] if job else None,
            "created_at": registered + timedelta(minutes=rng.randrange(2, 60)),
            "updated_at": registered + timedelta(minutes=rng.randrange(60, 600)),
        }
        self.context.writer.add("candidate_profiles", profile)
        return profile

    def _write_records(self, profile: dict, education: list[dict], jobs: list[Job]) -> None:
        writer, created = self.context.writer, profile["created_at"]
        for record in education:
            writer.add(
                "education_records",
                record
                | {"candidate_id": profile["id"], "document_id": None, "created_at": created, "updated_at": created},
            )
        for job in jobs:
            writer.add(
                "experience_records",
                {
                    "candidate_id": profile["id"],
                    "employer": job.employer,
                    "position": job.position,
                    "started_on": job.started_on,
                    "ended_on": job.ended_on,
                    "description": "",
                    "created_at": created,
                    "updated_at": created,
                },
            )
