"""Every message marked for translation in the code has a translation in every catalogue of locale/
(Simplified Chinese today)."""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ["accounts", "common", "config", "feedback", "performance"]
LANGUAGES = sorted(path.name for path in (ROOT / "locale").iterdir() if path.is_dir())


def test_simplified_chinese_has_a_catalogue():
    assert "zh_Hans" in LANGUAGES


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_marked_message_has_a_translation(tmp_path, monkeypatch, language):
    # makemessages writes into the locale/ folder of the tree it walks: walk a copy, never the repository.
    for name in SOURCES + ["locale"]:
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    monkeypatch.chdir(tmp_path)
    call_command("makemessages", locale=[language], no_obsolete=True, verbosity=0, ignore_patterns=["migrations/*"])
    catalogue = tmp_path / "locale" / language / "LC_MESSAGES" / "django.po"
    listed = subprocess.run(["msgattrib", "--untranslated", "--no-obsolete", "--no-wrap", str(catalogue)],
                            capture_output=True, text=True, check=True).stdout
    fuzzy = subprocess.run(["msgattrib", "--only-fuzzy", "--no-obsolete", "--no-wrap", str(catalogue)],
                           capture_output=True, text=True, check=True).stdout
    missing = [line for line in listed.splitlines() if line.startswith("msgid ") and line != 'msgid ""']
    missing += [line for line in fuzzy.splitlines() if line.startswith("msgid ") and line != 'msgid ""']
    assert not missing, "Untranslated or fuzzy messages (run scripts/messages.sh and translate them):\n" + "\n".join(
        missing)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalogue_compiles_without_errors(tmp_path, language):
    catalogue = ROOT / "locale" / language / "LC_MESSAGES" / "django.po"
    subprocess.run(["msgfmt", "--check", "-o", str(tmp_path / "django.mo"), str(catalogue)], check=True)
