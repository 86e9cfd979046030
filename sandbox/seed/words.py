"""Words the generated world is made of: tags, names, titles, cities, labels.

Changing any list changes every generated name after the first use of it: the seeded
catalogue is only reproducible while these stay as they are.
"""

GENRE_TAGS = {
    "rock": "rock", "pop": "pop", "electronic": "electronic", "alternative": "alternative",
    "indie-rock": "indie rock", "jazz": "jazz", "classical": "classical",
    "hip-hop": "hip-hop", "r-and-b": "r&b", "soul": "soul", "funk": "funk", "folk": "folk",
    "country": "country", "blues": "blues", "metal": "metal", "punk": "punk",
    "reggae": "reggae", "latin": "latin", "dance": "dance", "house": "house",
    "techno": "techno", "ambient": "ambient", "soundtrack": "soundtrack", "world": "world",
    "singer-songwriter": "singer-songwriter", "acoustic": "acoustic", "gospel": "gospel",
    "disco": "disco", "grunge": "grunge", "britpop": "britpop", "chillout": "chillout",
    "experimental": "experimental", "drum-and-bass": "drum & bass",
}  # fmt: skip
DECADE_TAGS = {
    "1960s": "1960s", "1970s": "1970s", "1980s": "1980s", "1990s": "1990s",
    "2000s": "2000s", "2010s": "2010s", "2020s": "2020s",
}  # fmt: skip
GENRES = tuple(GENRE_TAGS)

ADJECTIVES = (
    "Amber", "Ancient", "Atomic", "Autumn", "Black", "Blue", "Bright", "Broken", "Burning",
    "Cosmic", "Crimson", "Crystal", "Dancing", "Dark", "Distant", "Dusty", "Echo", "Electric",
    "Emerald", "Empty", "Endless", "Fading", "Falling", "Flying", "Frozen", "Gentle", "Ghost",
    "Glass", "Golden", "Happy", "Heavy", "Hidden", "Hollow", "Honey", "Hungry", "Icy", "Idle",
    "Indigo", "Iron", "Ivory", "Jade", "Jolly", "Jumping", "Kinetic", "Kind", "Lazy", "Little",
    "Lonely", "Lost", "Lucky", "Lunar", "Magic", "Marble", "Midnight", "Mighty", "Modern",
    "Neon", "Nervous", "Northern", "Oblique", "Ocean", "Open", "Orange", "Painted", "Paper",
    "Pink", "Plastic", "Purple", "Quiet", "Quick", "Quantum", "Radiant", "Rainy", "Restless",
    "Rusty", "Scarlet", "Secret", "Silent", "Silver", "Sleepy", "Solar", "Southern", "Static",
    "Strange", "Sweet", "Tender", "Thunder", "Tiny", "Twin", "Ultra", "Union", "Urban",
    "Velvet", "Violet", "Vivid", "Wandering", "Wild", "Winter", "Wooden", "Xenon", "Yellow",
    "Young", "Zealous", "Zero", "Zigzag",
)  # fmt: skip
BAND_NOUNS = (
    "Anchors", "Angels", "Arrows", "Astronauts", "Bandits", "Bears", "Bells", "Birds",
    "Blossoms", "Bones", "Brothers", "Cats", "Chairs", "Circles", "Clouds", "Comets",
    "Cowboys", "Crows", "Daggers", "Diamonds", "Doves", "Dreamers", "Drifters", "Drums",
    "Eagles", "Echoes", "Engines", "Feathers", "Flames", "Foxes", "Gardens", "Ghosts",
    "Giants", "Harbours", "Hearts", "Horses", "Hunters", "Islands", "Jackals", "Jets",
    "Keys", "Kings", "Kites", "Lanterns", "Lions", "Machines", "Magnets", "Mirrors", "Monks",
    "Moons", "Motels", "Mountains", "Needles", "Nomads", "Oceans", "Orchids", "Owls",
    "Painters", "Pilots", "Pirates", "Planets", "Poets", "Queens", "Rabbits", "Radios",
    "Ravens", "Rebels", "Rivers", "Robots", "Rockets", "Sailors", "Satellites", "Shadows",
    "Sisters", "Skies", "Sparks", "Strangers", "Swans", "Tigers", "Towers", "Trains",
    "Travellers", "Tulips", "Vandals", "Voices", "Wanderers", "Waves", "Whales", "Wolves",
    "Wonders", "Youths", "Zebras",
)  # fmt: skip
FIRST_NAMES = (
    "Ada", "Alice", "Amir", "Anna", "Ben", "Billie", "Carlos", "Chloe", "Daniel", "Dara",
    "Eddie", "Elena", "Ella", "Emil", "Fatima", "Felix", "Frida", "George", "Grace", "Hana",
    "Harry", "Ines", "Isaac", "Ivy", "Jack", "Jamal", "Jonas", "Jules", "Kai", "Karin",
    "Kenji", "Lars", "Layla", "Leo", "Lina", "Luca", "Maya", "Marcus", "Mia", "Nadia",
    "Nico", "Nina", "Noah", "Olive", "Omar", "Oscar", "Paula", "Pedro", "Priya", "Quentin",
    "Quinn", "Rafael", "Rosa", "Ruby", "Sam", "Sara", "Sofia", "Theo", "Tom", "Ulla",
    "Uma", "Valentina", "Victor", "Wanda", "Will", "Xander", "Ximena", "Yara", "Yusuf",
    "Zoe", "Zane",
)  # fmt: skip
SURNAMES = (
    "Abbott", "Adler", "Bakker", "Banks", "Barros", "Bell", "Berg", "Blake", "Brandt",
    "Brooks", "Carter", "Castillo", "Chen", "Cole", "Costa", "Cruz", "Dahl", "Diaz", "Doyle",
    "Dubois", "Ellis", "Evans", "Falk", "Ferreira", "Fischer", "Flynn", "Fox", "Garcia",
    "Gray", "Hale", "Hansen", "Hart", "Hayes", "Holm", "Hughes", "Ito", "Jensen", "Jones",
    "Kane", "Keller", "Khan", "Klein", "Lane", "Larsen", "Lopez", "Lund", "Marsh", "Meyer",
    "Moreau", "Murphy", "Nash", "Nilsson", "Novak", "Okafor", "Olsen", "Ortiz", "Park",
    "Patel", "Pearce", "Quinn", "Reed", "Reyes", "Rossi", "Russo", "Ryan", "Santos",
    "Schmidt", "Silva", "Stone", "Sato", "Torres", "Turner", "Vance", "Varga", "Voss",
    "Walsh", "Weber", "West", "Wolfe", "Young", "Yilmaz", "Zimmer",
)  # fmt: skip
WORD_PARTS = (
    "Moon", "Sun", "Star", "Sky", "Fire", "Ice", "Neon", "Echo", "Dust", "Glow", "Wave",
    "Bolt", "Drift", "Haze", "Lune", "Nova", "Pulse", "Rift", "Sonic", "Tide", "Vox",
)  # fmt: skip
WORD_ENDS = ("beat", "fall", "field", "light", "line", "ment", "ray", "scape", "tone", "wave")
NUMBERS = {
    "0": ("0", "00"), "1": ("1", "10", "101", "1000"), "2": ("2", "21", "2000"),
    "3": ("3", "33", "3rd"), "4": ("4", "44", "45"), "5": ("5", "55", "5th"),
    "6": ("6", "66"), "7": ("7", "77", "7th"), "8": ("8", "80", "808"), "9": ("9", "99", "911"),
}  # fmt: skip
TITLE_ADJECTIVES = (
    "Happy", "Pink", "Blue", "Golden", "Silver", "Broken", "Electric", "Midnight", "Wild",
    "Quiet", "Lonely", "Secret", "Endless", "Burning", "Frozen", "Hidden", "Little", "Lost",
    "Northern", "Paper", "Restless", "Sweet", "Velvet", "Yellow", "Young", "Crimson",
    "Distant", "Empty", "Fading", "Gentle", "Heavy", "Invisible", "Last", "Modern", "Neon",
    "Open", "Perfect", "Rainy", "Strange", "Tender", "Violet", "Wasted", "Bitter", "Dirty",
    "Easy", "First", "Holy", "Lazy", "Magic", "Naked", "Only", "Quick", "Red", "Sad", "True",
)  # fmt: skip
TITLE_NOUNS = (
    "Love", "Heart", "Summer", "Rain", "River", "Night", "Morning", "City", "Fire", "Dream",
    "Light", "Road", "Sky", "Ocean", "Window", "Highway", "Garden", "Mirror", "Shadow",
    "Star", "Moon", "Sun", "Train", "Radio", "Party", "Letter", "Echo", "Island", "Mountain",
    "Song", "Story", "Kiss", "Storm", "Wave", "Winter", "Autumn", "Spring", "Stranger",
    "Angel", "Ghost", "Heaven", "Home", "Horizon", "Memory", "Paradise", "Satellite",
    "Signal", "Thunder", "Daylight", "Diamond", "Fever", "Freedom", "Gold", "Harbour",
    "Honey", "Lullaby", "Machine", "Rhythm", "Smile", "Sunday", "Tomorrow", "Water", "World",
)  # fmt: skip
TITLE_OPENERS = (
    "Chasing", "Dancing in the", "Waiting for the", "Dreaming of", "Falling into the",
    "Running from the", "Singing in the", "Holding on to the", "Looking for the",
    "Back to the", "Under the", "Beyond the", "Take Me to the", "All About the",
    "Lost in the", "Love in the", "Don't Forget the", "Here Comes the", "Hold the",
)  # fmt: skip
ALBUM_FRAMES = (
    "{} Sessions", "Songs from the {}", "Live at the {}", "The {} Tapes", "Tales of {}",
    "{} Years", "Return of the {}", "{} and Other Stories",
)  # fmt: skip
TRACK_VERSIONS = (
    "Radio Edit", "Remastered", "Live", "Acoustic", "Extended Mix", "Demo", "Instrumental",
    "Single Version", "Album Version", "Club Mix",
)  # fmt: skip
CITIES = (
    "London", "Manchester", "Glasgow", "Dublin", "Bristol", "Leeds", "New York", "Chicago",
    "Austin", "Nashville", "Los Angeles", "Seattle", "Toronto", "Montreal", "Berlin",
    "Hamburg", "Cologne", "Paris", "Lyon", "Marseille", "Cork", "Vancouver", "Detroit",
    "Atlanta", "Brighton", "Sheffield", "Munich", "Bordeaux", "Galway", "Halifax",
)  # fmt: skip
LABEL_WORDS = (
    "Northern", "Harbour", "Blue Lantern", "Copper", "Driftwood", "Ember", "Foxglove",
    "Granite", "Hollow Oak", "Iris", "Juniper", "Kestrel", "Lighthouse", "Meridian",
    "Nightjar", "Orbit", "Pinewood", "Quarry", "Redwing", "Saltmarsh", "Tidewater",
    "Umbra", "Vantage", "Westway", "Yardbird", "Zenith", "Cobalt", "Skyline", "Bramble",
    "Starling",
)  # fmt: skip
LABEL_KINDS = ("Records", "Recordings", "Music", "Sound", "Audio")

# Search targets the sandbox's own tests and the browser journeys can rely on.
FORCED_ARTIST_NAMES = ("Pink Lanterns", "The Happy Strangers", "Love Engine")
FORCED_RELEASE_TITLES = ("Love on the Radio", "Happy Accidents", "Pink Moon Rising")
FORCED_TRACK_TITLES = ("Happy Hour Blues", "Love Me Tomorrow", "Pink Skies", "Endless Love")
