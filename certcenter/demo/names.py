"""Names for the demo-scale data set's people: Kazakh and Russian given names, patronymics and surnames, each in
Cyrillic and in Latin letters."""

from __future__ import annotations

import random

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


def person_name(rng: random.Random, male: bool, kazakh: bool) -> tuple[str, str]:
    """A full name (given name, patronymic, surname) in Cyrillic and in Latin letters."""
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
