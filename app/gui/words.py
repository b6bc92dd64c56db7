"""Words the app's own screens use (findings, reasons and headlines come from checks/texts).

One place, so they can be read together against ../shared/WRITING.md. These are the English
source words: each UPPER_CASE string is a message of the gettext catalogue, its name the
context (tools/translations.py collects them). Reading ``words.NAME`` gives it in the language
chosen now (``checks.i18n``), so a screen built after a language change speaks that language.
"""
from __future__ import annotations

from device_checkup.checks import i18n

APP_NAME = "Device Checkup"

SEVERITY = {
    "high": "Serious",
    "medium": "Worth checking",
    "low": "Worth a look",
}
# A mark that goes with the words, so colour is never the only sign.
SEVERITY_MARK = {"high": "!", "medium": "?", "low": "i"}


def severity(level: str) -> str:
    return i18n.pgettext(f"SEVERITY.{level}", _ENGLISH["SEVERITY"][level]) if level in _ENGLISH["SEVERITY"] else level


EXIT = "E&xit"
EXIT_NAME = "Emergency exit"
EXIT_DESCRIPTION = ("Closes Device Checkup at once and forgets what it found. "
                    "You can also press Shift three times.")
HELP = "&Get help"
HELP_DESCRIPTION = "Phone numbers and services that can help, chosen by where you live."
BACK = "&Back"

WELCOME_LANGUAGE = "&Language / Język"
WELCOME_TITLE = "Check this laptop for software that can watch you"
WELCOME_INTRO = (
    "Device Checkup looks on this laptop for programs and settings that are known to be used to "
    "watch someone: spy software, monitoring software, and tools that let another computer see "
    "or control this one. It only looks. It does not change, stop or remove anything, and it "
    "does not use the internet.")
WELCOME_CANNOT_SEE_TITLE = "What it can't see"
WELCOME_WATCHED_TITLE = "Before you start"
WELCOME_WATCHED = (
    "If someone is watching this laptop, they may be able to see that this check was run. If "
    "that could put you in danger, you can stop here and get help from a phone or computer they "
    "can't reach, for example a friend's phone or a computer at a library.")
WELCOME_EXIT_TITLE = "The Exit button"
WELCOME_EXIT = (
    "The red Exit button, at the top of every screen, closes Device Checkup at once and forgets "
    "what it found. Pressing the Shift key three times does the same.")
WELCOME_EXIT_LIMITS = (
    "It can't undo what monitoring software may already have recorded, such as pictures of the "
    "screen, and the computer itself may still keep a note that Device Checkup was opened.")
WELCOME_WHO = "Who is using Device Checkup?"
WELCOME_OWN = "I'm checking my &own laptop"
WELCOME_ADVOCATE = "I'm an &advocate checking with someone"
WELCOME_START = "&Start the check"
WELCOME_TIME = "The check takes a few minutes. You can stop it at any time."
SIGNATURE_OPTIONS = "Signature o&ptions"
ABOUT = "Abou&t"

SCAN_TITLE = "Checking this laptop"
SCAN_STARTING = "Getting ready…"
SCAN_NOTE = ("This can take a few minutes. Nothing on the laptop is changed. You can press Exit "
             "at any time.")
SCAN_CANCEL = "Sto&p the check"
SCAN_STEP = "Step {step} of {total}"
SCAN_CANCELLING = "Stopping the check…"
SCAN_CANCELLED = "The check was stopped. Nothing was changed on this laptop."
SCAN_FAILED = ("Something went wrong and the check could not finish. Nothing was changed on "
               "this laptop. You could try again, or ask a support service for help.")

RESULTS_TITLE = "What we found"
RESULTS_CHECKED_AT = "Checked on {when}."
RESULTS_CHECKED_DEVICE = "Checked on {when}: {device} ({system})."
RESULTS_ADVOCATE_TABLE = "All findings at a glance"
RESULTS_NOT_CHECKED = "What we couldn't check"
RESULTS_NOT_CHECKED_NONE = "We were able to look at everything we tried to look at."
RESULTS_CANNOT_SEE = "What a scan can't see"
RESULTS_CHECKED = "Where we looked"
RESULTS_AGAIN = "Check &again"
RESULTS_SAVE = "Sa&ve a report…"
RESULTS_SAVE_NOTE = ("A saved report stays on this laptop where someone else could find it. If that "
                     "isn't safe, you could save it to a USB stick instead, or not save it.")
RESULTS_SAVED = "The report was saved to {path}."
RESULTS_SAVING = "Saving the report…"
RESULTS_MORE = ("We found {count} more things. Each one is in the list \"All findings at a glance\" "
                "above, and a saved report explains every one.")
RESULTS_SAVE_FAILED = "We couldn't save the report there ({why}). You could try another place."
FINDING_WHAT = "What it is"
FINDING_WHY = "Why it matters"
FINDING_DO = "What you could do"
FINDING_CAREFUL = "Be careful"
FINDING_DETAILS = "Technical details for an advocate"
FINDING_USER_FILE = ("This was found using a signature file that was added to Device Checkup, not "
                     "its own list.")
NOT_CHECKED_LINE = "We couldn't look at {what}, because {reason}."
NOT_CHECKED_TIMES = " (this happened {count} times)"

SUPPORT_TITLE = "Get help"
SUPPORT_REGION = "&Where do you live?"
SUPPORT_OPEN = "Open the website…"
SUPPORT_PHONE = "Phone"
SUPPORT_TEXT = "Text"
SUPPORT_EMAIL = "Email"
SUPPORT_WEBSITE = "Website"
SUPPORT_HISTORY_TITLE = "Open a website?"
SUPPORT_HISTORY = (
    "The website will open in your web browser, and it will appear in the browser's history. "
    "Someone who can see this laptop may be able to see it.\n\n"
    "You can write the address down and open it later on a safer device instead:\n{url}")
SUPPORT_HISTORY_OPEN = "Open it now"
SUPPORT_HISTORY_CANCEL = "Don't open it"

SIG_TITLE = "Signature options"
SIG_INTRO = (
    "Device Checkup compares what it finds with a list of known monitoring software (its "
    "signatures). An advocate or a support service may give you an extra signature file. Added "
    "files are used for the next check, and forgotten when Device Checkup closes.")
SIG_ADD = "&Add a signature file…"
SIG_REMOVE = "&Remove the selected file"
SIG_NONE = "No extra signature files have been added."
SIG_ADDED_OK = "{name}: ready to use ({families} kinds of software)."
SIG_PROBLEMS = ("{name}: we couldn't use all of this file. The rest of it, and the built-in list, "
                "will still be used. What is wrong:")
SIG_UNUSABLE = ("{name}: we couldn't use this file. The built-in list will still be used. What is "
                "wrong:")

ABOUT_TITLE = "About Device Checkup"
ABOUT_INTRO = (
    "Device Checkup is free software. It does not use the internet, does not save settings or "
    "history, and writes nothing to the disk unless you choose to save a report.")
ABOUT_SET = "The list of known software (signatures)"
ABOUT_FILES = "Where the list comes from"
ABOUT_PROBLEMS = "Problems found in the signature files"
# Shown on the About page in every language but English.
ABOUT_TRANSLATION = ("This translation is new. It is waiting to be checked by a native speaker. If "
                     "something is unclear, the English version says the same thing.")
ABOUT_NOT_LOADED = "The signature list could not be read ({why})."

# -- an advocate's appointment ---------------------------------------------------------------
SESSION_TITLE = "Before we check: this appointment"
SESSION_INTRO = (
    "Everything on this page stays in the app's memory and goes into a report only if you save "
    "one. Don't write names: the reference below is made by the app, from today's date and a number.")
SESSION_REFERENCE = "Reference for this appointment: {reference}"
SESSION_INITIALS = "Your &initials (optional)"
SESSION_DEVICE = "A &nickname for this laptop (optional), such as \"her work laptop\""
SESSION_QUESTIONS = "Questions to talk through"
SESSION_QUESTIONS_NOTE = ("Answers are optional. Write only what the client is happy to have in the "
                          "report.")
SESSION_BACK = "&Back"
SESSION_START = "&Start the check"
SESSION_BAR = "Appointment {reference}"
SESSION_BAR_DEVICE = "Appointment {reference} · {device}"
SESSION_END = "&End this session…"
SESSION_END_TITLE = "End this session?"
SESSION_END_TEXT = ("Device Checkup will forget this check, the answers and your notes, and go back "
                    "to the start. A report you saved stays where you saved it.")
SESSION_END_YES = "End the session"
SESSION_END_NO = "Keep it open"
SESSION_ENDED = "The session has ended. Device Checkup has forgotten it."

NOTE_TITLE = "Notes for this appointment"
NOTE_CLIENT_SAYS = "What does the client say about it?"
NOTE_NOT_A_CONCERN = "Not a concern (it stays in the report, with your note)"
NOTE_TEXT = "Your note"
NOTE_NOTHING = "(nothing said yet)"
NOTE_SHOWN = "Noted: {what}"
NOTE_SHOWN_NOT_A_CONCERN = "not a concern"

REPORT_SAVED_TITLE = "The report was saved"
REPORT_SAVED_TEXT = (
    "It was saved to:\n{path}\n\nIts fingerprint (SHA-256) is below. You could write it down: "
    "it shows later that the report was not changed.\n\n{sha256}")
REPORT_COPY = "&Copy the fingerprint"
REPORT_REPLACE_TITLE = "Replace the file that is already there?"
REPORT_REPLACE_TEXT = "There is already a file called {name} in that folder. Saving the report replaces it."
REPORT_REPLACE_YES = "&Replace it"
REPORT_REPLACE_NO = "&Keep it"
REPORT_CLOSE = "C&lose"

COMPARE = "C&ompare with an earlier check…"
COMPARE_TITLE = "Compared with an earlier check"
COMPARE_INTRO = "This check, made on {later}, compared with the earlier one, made on {earlier}."
COMPARE_NEW = "New since the earlier check"
COMPARE_GONE = "Found before, not found now"
COMPARE_CHANGED = "Found both times, but changed"
COMPARE_SAME = "Found both times"
COMPARE_NONE = "Nothing."
COMPARE_GONE_NOTE = ("Something no longer found may have been removed, or may be hiding better. It "
                     "is worth asking what changed.")
COMPARE_BACK = "&Back to the results"


# The English above is the source; callers read it through __getattr__ in the current language.
_ENGLISH = {k: v for k, v in globals().items() if k.isupper() and isinstance(v, (str, dict))}
for _name in _ENGLISH:
    del globals()[_name]


def __getattr__(name: str):
    try:
        value = _ENGLISH[name]
    except KeyError:
        raise AttributeError(name) from None
    if isinstance(value, dict):
        return {k: i18n.pgettext(f"{name}.{k}", v) for k, v in value.items()}
    return i18n.pgettext(name, value)
