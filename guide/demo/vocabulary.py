"""Word lists for the benchmark's fictional organisation.

Names are common first and last names combined at random; no combination describes a real
person. Free texts are short sentences of the kind coordinators and guides write.
"""

from __future__ import annotations

CHILD_FIRST_NAMES = (
    "Emma", "Nora", "Sofie", "Olivia", "Ella", "Maja", "Ingrid", "Leah", "Sara", "Amina",
    "Hodan", "Olena", "Zofia", "Maryam", "Selam", "Yasmin", "Aisha", "Ida", "Thea", "Frida",
    "Luna", "Hanna", "Mia", "Sana", "Iman", "Nadia", "Daria", "Alma", "Tiril", "Vilde",
    "Noah", "Jakob", "Emil", "Lucas", "Filip", "Oskar", "Aksel", "Isak", "Magnus", "Yusuf",
    "Omar", "Ali", "Adam", "Elias", "Henrik", "Jonas", "Ahmed", "Bilal", "Daniel", "Mateusz",
    "Dawit", "Samuel", "Liam", "Oliver", "William", "Tobias", "Sander", "Mikkel", "Even",
    "Mustafa", "Hamza", "Abdi", "Kacper", "Taras", "Mykyta", "Teodor", "Ibrahim", "Eirik",
)  # fmt: skip

ADULT_FIRST_NAMES = (
    "Kari", "Anne", "Ingrid", "Marte", "Silje", "Hilde", "Tone", "Fatima", "Amina", "Fadumo",
    "Iryna", "Olha", "Agnieszka", "Tsega", "Leila", "Rahel", "Sahra", "Marianne", "Camilla",
    "Ole", "Per", "Lars", "Knut", "Geir", "Morten", "Trond", "Ahmed", "Hassan", "Mohammed",
    "Piotr", "Andrii", "Yonas", "Tesfaye", "Karim", "Abdirahman", "Jan", "Stian", "Espen",
)  # fmt: skip

LAST_NAMES = (
    "Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen",
    "Jensen", "Karlsen", "Johnsen", "Pettersen", "Eriksen", "Berg", "Haugen", "Hagen",
    "Johannessen", "Andreassen", "Jacobsen", "Dahl", "Jørgensen", "Halvorsen", "Henriksen",
    "Lund", "Sørensen", "Moen", "Gundersen", "Iversen", "Strand", "Solberg", "Svendsen",
    "Eide", "Knutsen", "Martinsen", "Paulsen", "Bakken", "Mathisen", "Lie", "Ali", "Ahmed",
    "Hussain", "Mohamed", "Hassan", "Abdi", "Nowak", "Kowalski", "Wiśniewska", "Shevchenko",
    "Kovalenko", "Bondarenko", "Tesfay", "Gebremedhin", "Haile", "Yilmaz", "Nguyen", "Khan",
    "Rahimi", "Haddad", "Farah", "Warsame", "Øvrebø", "Aasen", "Ødegård", "Skogli",
)  # fmt: skip

AREAS = (
    "Sentrum", "Nord", "Sør", "Øst", "Vest", "Elvebakken", "Skogbyen", "Sjøsiden", "Åsen",
    "Dalen",
)  # fmt: skip

STREETS = (
    "Eksempelveien", "Skoleveien", "Bjørkelia", "Granstien", "Kirkegata", "Elvegata",
    "Storgata", "Furuveien", "Løkkaveien", "Bakkeveien",
)  # fmt: skip

#: The child's interests in its own words; the app derives tags from these.
INTERESTS = (
    "Jeg vil spille fotball med vennene mine",
    "Lære å spille gitar",
    "Dans, helst hiphop",
    "Svømme ordentlig",
    "Klatring!",
    "Sjakk og kanskje koding",
    "Tegne og male",
    "Være speider og sove i telt",
    "Spille håndball som storesøster",
    "Basket",
    "Synge i kor",
    "Teater, jeg liker å spille roller",
    "Ridning, jeg elsker hester",
    "Spille piano",
    "Turn og saltoer",
    "Vet ikke helt, kanskje noe med musikk",
)

REFERRAL_REASONS = (
    "Familien har trang økonomi, og barnet deltar ikke i noen fritidsaktivitet.",
    "Barnet sier det ikke har noe å gjøre etter skolen og savner venner.",
    "Nyankommet familie som ikke kjenner tilbudene i nærmiljøet.",
    "Foresatte ønsker hjelp til å finne en aktivitet, men har ikke råd til kontingent og utstyr.",
    "Barnet har sluttet i aktiviteten sin fordi familien ikke hadde råd til cupen.",
    "Helsesykepleier ser at barnet er mye alene og ønsker at det kommer med i noe.",
)

VISIT_NOTES = (
    "Hjemmebesøk. Familien var positiv, vi snakket om hva barnet liker.",
    "Ringte mor, avtalte å bli med på første trening.",
    "Var med på trening. Gikk fint, barnet fikk hilse på treneren.",
    "Kort samtale etter skolen. Barnet trives og vil fortsette.",
    "Snakket med klubben om utstyr; de har sko og drakt å låne ut.",
    "Oppfølgingssamtale med familien. Ingen nye behov.",
    "Barnet var litt usikkert i dag, vi avtalte å gå sammen neste gang også.",
    "Hjalp familien med søknad om støtte til kontingent.",
)

CHILD_WORDS = (
    "Det var gøy!",
    "Jeg vil gå dit igjen.",
    "Litt skummelt først, men treneren var snill.",
    "Jeg fikk en ny venn.",
    "Kan vi gå sammen neste gang også?",
    "Jeg er ikke så god ennå.",
)

#: (category key, activity names) for the public catalogue.
ACTIVITIES_BY_CATEGORY = (
    ("sport", ("Fotball", "Håndball", "Basket", "Svømming", "Turn", "Klatring", "Judo")),
    ("music", ("Gitargruppe", "Skolekorps", "Band for unge", "Barnekor")),
    ("dance", ("Hiphop", "Ballett", "Streetdance")),
    ("scouting", ("Speidergruppe",)),
    ("art_and_crafts", ("Tegnekurs", "Keramikk")),
    ("drama", ("Teatergruppe",)),
    ("outdoor_life", ("Friluftsgruppe",)),
    ("gaming_esport", ("E-sport",)),
    ("youth_club", ("Ungdomsklubb",)),
)

CLUB_KINDS = ("IL", "Musikklag", "Dansestudio", "Speidergruppe", "Kulturhus", "Klubb")

#: Equipment lent to children (the demo history).
LOAN_ITEMS = (
    "Fotballsko",
    "Skøyter",
    "Ski og staver",
    "Sykkelhjelm",
    "Gitar",
    "Dansesko",
    "Sovepose",
)
