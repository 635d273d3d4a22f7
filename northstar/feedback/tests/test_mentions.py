"""Finding @mentions in text (pure) and resolving them to people."""

import pytest

from northstar.feedback.mentions import MAX_MENTIONS, mention_tokens, resolve
from northstar.people.models import Person


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("Thanks @cleo!", ["cleo"]),
        ("@cleo, @ben. and @cleo again", ["cleo", "ben"]),
        ("ping @dev@northwind.test please", ["dev@northwind.test"]),
        ("@ada.lovelace and @jean-luc", ["ada.lovelace", "jean-luc"]),
        ("mail ada@northwind.test is no mention", []),
        ("no one @ all", []),
        ("(@Cleo)", ["Cleo"]),
    ],
)
def test_it_finds_mention_tokens(text, tokens):
    assert mention_tokens(text) == tokens


def test_it_caps_the_number_of_mentions():
    text = " ".join(f"@person{i}" for i in range(MAX_MENTIONS + 5))
    assert len(mention_tokens(text)) == MAX_MENTIONS


def test_it_resolves_emails_local_parts_and_names(personas):
    p = personas
    lovelace = Person.objects.create(name="Ada Lovelace", email="countess@analytical.test")
    found = resolve(["cleo", "DEV@northwind.test", "ada.lovelace", "Ben", "nobody"])
    assert found == {
        "cleo": p.cleo,
        "DEV@northwind.test": p.dev,
        "ada.lovelace": lovelace,
        "Ben": p.ben,
    }


def test_an_ambiguous_first_name_names_nobody(personas):
    Person.objects.create(name="Sam Carter", email="s.carter@northwind.test")
    Person.objects.create(name="Sam Vimes", email="s.vimes@northwind.test")
    assert resolve(["sam"]) == {}
    assert resolve(["sam.vimes"])["sam.vimes"].name == "Sam Vimes"


def test_an_email_local_part_beats_a_first_name(personas):
    Person.objects.create(name="Cleo Patra", email="patra@northwind.test")
    assert resolve(["cleo"]) == {"cleo": personas.cleo}


def test_it_leaves_out_inactive_people(personas):
    Person.objects.filter(pk=personas.dev.pk).update(is_active=False)
    assert resolve(["dev"]) == {}
