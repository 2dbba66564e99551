"""Name and address material for the demo, embedded so the same seed gives the same school
on every machine (Faker's lists change between releases, and it is a test-only dependency).

The mix of names reflects an English town primary where about one pupil in five speaks
English as an additional language. Streets, town and the "OK" postcode area are fictional.
"""

from __future__ import annotations


def _words(text: str, sep: str | None = None) -> tuple[str, ...]:
    return tuple(text.split(sep))


GIRLS = _words(
    "Olivia Amelia Isla Ava Ivy Freya Lily Florence Mia Willow Rosie Sophia Isabella Grace "
    "Daisy Sienna Poppy Elsie Emily Ella Evelyn Phoebe Sofia Evie Charlotte Harper Millie "
    "Matilda Maya Sophie Alice Emilia Isabelle Ruby Luna Maisie Aria Penelope Mila Bonnie "
    "Eva Hallie Eliza Ada Violet Esme Arabella Imogen Jessica Delilah Lucy Chloe Holly "
    "Georgia Erin Megan Ellie Hannah Scarlett Niamh Molly Lola Harriet Robyn Orla Zara"
)
BOYS = _words(
    "Muhammad Noah Oliver George Leo Arthur Oscar Theodore Freddie Theo Archie Henry Alfie "
    "Charlie Finley Jack Jacob Thomas Lucas Tommy Teddy Isaac Edward Reggie Harry Albie "
    "Arlo James Joshua Rory Louie Max William Sonny Hugo Ronnie Elijah Roman Harrison "
    "Jude Ezra Alexander Mason Toby Dylan Ethan Joseph Samuel Daniel Benjamin Ollie Jenson "
    "Rowan Callum Kai Logan Riley Jamie Owen Luca Frankie Caleb Liam Ryan Connor Ben"
)
# Names common in the families who speak another language at home.
GIRLS_EAL = _words(
    "Aisha Fatima Maryam Zainab Amira Hafsa Inaya Anaya Aaliyah Sana Priya Anika Diya "
    "Zofia Maja Julia Lena Hanna Oliwia Amelia Alina Sara Ioana Elena Maria Adaeze Chioma "
    "Amara Favour Blessing Noor Layla Mariam Khadija Yasmin Nadia Leila Mei Lin"
)
BOYS_EAL = _words(
    "Mohammed Ibrahim Yusuf Ayaan Zayn Hamza Ali Omar Musa Aarav Arjun Rayan Vihaan "
    "Jakub Szymon Kacper Antoni Filip Mateusz Luka Andrei Matei David Chidi Tobi Emeka "
    "Kwame Daniel Adam Amir Yusuf Hassan Bilal Idris Ilyas Kian Wei Jun"
)

SURNAMES = _words(
    "Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Robinson "
    "Thompson Wright Walker White Edwards Hughes Green Hall Lewis Harris Clarke Patel "
    "Jackson Wood Turner Martin Cooper Hill Ward Morris Moore Clark Lee King Baker Harrison "
    "Morgan Allen James Scott Phillips Watson Davis Parker Price Bennett Young Griffiths "
    "Mitchell Kelly Cook Carter Richardson Bailey Collins Bell Shaw Murphy Miller Cox "
    "Richards Khan Marshall Anderson Simpson Ellis Adams Singh Begum Wilkinson Foster "
    "Chapman Powell Webb Rogers Gray Mason Ali Hunt Hussain Campbell Matthews Owen Palmer "
    "Holmes Mills Barnes Knight Lloyd Butler Russell Barker Fisher Stevens Jenkins Murray "
    "Dixon Harvey Graham Pearson Ahmed Fletcher Walsh Kaur Gibson Howard Andrews Stewart "
    "Elliott Reynolds Saunders Payne Fox Ford Pearce Day Brooks West Lawrence Cole Atkinson"
)
SURNAMES_EAL = _words(
    "Khan Ahmed Hussain Ali Begum Akhtar Iqbal Rahman Mahmood Shah Patel Singh Kaur Sharma "
    "Gupta Mistry Chauhan Nowak Kowalski Wisniewski Wojcik Kaminski Lewandowski Popescu "
    "Ionescu Petrov Okafor Adeyemi Okonkwo Mensah Asante Osei Mohamed Abdi Farah Nguyen "
    "Chen Wang Li Silva Santos Ferreira Costa"
)
# Forenames for parents and carers (a generation older than the pupils).
ADULT_WOMEN = _words(
    "Sarah Laura Emma Gemma Rebecca Hayley Kirsty Claire Nicola Joanne Amy Jennifer Lisa "
    "Rachel Natalie Stacey Leanne Charlotte Kelly Victoria Samantha Michelle Danielle Zoe"
)
ADULT_MEN = _words(
    "David James Daniel Mark Paul Andrew Richard Christopher Matthew Lee Craig Stephen "
    "Wayne Darren Jason Gareth Simon Michael Adam Carl Dean Robert Neil Steven"
)
ADULT_WOMEN_EAL = _words("Fatima Ayesha Shazia Nasreen Anna Katarzyna Agnieszka Ngozi Ama Farah")
ADULT_MEN_EAL = _words("Mohammed Imran Tariq Asif Piotr Tomasz Marek Chinedu Kofi Rajesh")

STREETS = _words(
    "Acorn Way|Beech Grove|Chestnut Avenue|Hawthorn Close|Larch Road|Maple Drive|"
    "Oakfield Road|Rowan Crescent|Sycamore Street|Willow Lane|Hazel Gardens|Alder Court|"
    "Birch Walk|Elder Place|Holly Terrace|Juniper Rise|Linden Park|Poplar Street|"
    "Station Road|Church Lane|Mill Street|Victoria Road|Queen Street|Park View|"
    "Meadow Close|Orchard Way|Brook Street|Cherry Tree Road|Ashdown Road|Fernbank",
    sep="|",
)
POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
