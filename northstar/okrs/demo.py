"""The demo organisation: Brightloom, a fictional software company, with a quarter of OKRs.

`build_demo(today)` writes a whole organisation (departments, teams, people with sign-in
accounts, a year, its current quarter and the closed quarter before it, a cascade of
objectives and key results of every kind, weeks of check-ins) through `northstar.okrs.actions`,
so every cached figure and roll-up is exactly what the product would compute.

It is deterministic: one seeded `random.Random` and timestamps derived from `today` (never the
clock), so two builds for the same day give the same demo, which tests and screenshots rely on.
It refuses to touch a database holding anything but a previous demo.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from northstar.audit.models import AuditEvent
from northstar.notifications.events import muted
from northstar.okrs import actions
from northstar.okrs import progress as math
from northstar.okrs.models import (
    CheckIn,
    Cycle,
    Initiative,
    KeyResult,
    Level,
    Objective,
    Outcome,
    State,
)
from northstar.people.models import Organisation, Person, Unit

COMPANY_NAME = "Brightloom"
DOMAIN = "brightloom.example"
TIME_ZONE = "Europe/Berlin"
PASSWORD = "demo-password"
ADMIN_EMAIL = f"admin@{DOMAIN}"
SEED = 20260401
EXAMPLE_CHECK_IN = "northstar check-in BL-WAT 2500 --confidence 8 --note 'Campaign landed'"

# How a key result's readings move relative to the calendar: 1.0 keeps exact pace.
PACES = {"ahead": 1.2, "on": 1.0, "behind": 0.72, "risk": 0.4, "stale": 0.8}
# Chance that a held threshold (at least / at most / within) is met at a check-in.
HOLD_CHANCE = {"ahead": 0.95, "on": 0.85, "behind": 0.5, "risk": 0.2, "stale": 0.6}
CONFIDENCE = {"ahead": 8, "on": 7, "behind": 5, "risk": 4, "stale": 6}


class DemoRefused(Exception):
    """The database holds real data (the demo never overwrites it), or the demo's today lies
    in the future."""


# --- what the demo contains -------------------------------------------------------------


@dataclass(frozen=True)
class KRSpec:
    title: str
    kind: str = "change"
    start: float | None = None
    target: float | None = None
    low: float | None = None
    high: float | None = None
    relative: float | None = None
    baseline: float | None = None  # the first reading of a relative key result
    unit: str = ""
    spread: float = 0.0  # how far readings wander around a held threshold or band
    levels: tuple[tuple[str, float], ...] = ()
    aligned: bool = False
    key: str = ""
    ref: str = ""  # an external ID, as if imported: `northstar check-in BL-ARR 15.2`
    owner: str = ""  # the department whose head owns it; default the objective's owner
    initiatives: tuple[str, ...] = ()

    @property
    def held(self) -> bool:
        """A threshold kept all along (uptime ≥ 99.9) rather than counted up to (hire 14)."""
        return self.kind in {"at_most", "within"} or (self.kind == "at_least" and self.spread > 0)


@dataclass(frozen=True)
class ObjSpec:
    title: str
    krs: tuple[KRSpec, ...]
    parent: str = ""  # key of an objective or key result
    pace: str = "on"
    key: str = ""
    private: bool = False  # visible only to its owner, the leads above and admins


@dataclass(frozen=True)
class TeamSpec:
    name: str
    lead_title: str
    member_title: str
    objectives: tuple[ObjSpec, ...]
    personal: tuple[ObjSpec, ...]  # one per member, aligned to this team's objectives


@dataclass(frozen=True)
class DepartmentSpec:
    name: str
    head_title: str
    objectives: tuple[ObjSpec, ...]
    teams: tuple[TeamSpec, ...]


def change(title: str, start: float, target: float, unit: str = "", **kw) -> KRSpec:
    return KRSpec(title, "change", start=start, target=target, unit=unit, **kw)


def cut_by(title: str, share: float, baseline: float, unit: str = "", **kw) -> KRSpec:
    return KRSpec(title, "change", relative=-share, baseline=baseline, unit=unit, **kw)


def at_least(title: str, target: float, unit: str = "", spread: float = 0.0, **kw) -> KRSpec:
    return KRSpec(title, "at_least", target=target, unit=unit, spread=spread, **kw)


def at_most(title: str, target: float, unit: str, spread: float, **kw) -> KRSpec:
    return KRSpec(title, "at_most", target=target, unit=unit, spread=spread, **kw)


def within(title: str, low: float, high: float, unit: str, spread: float = 0.0, **kw) -> KRSpec:
    return KRSpec(title, "within", low=low, high=high, unit=unit, spread=spread or high - low, **kw)


def milestone(title: str, **kw) -> KRSpec:
    return KRSpec(title, "milestone", **kw)


def levels(title: str, names: tuple[tuple[str, float], ...] = (), **kw) -> KRSpec:
    return KRSpec(title, "levels", levels=names, **kw)


def aligned(title: str, key: str) -> KRSpec:
    return KRSpec(title, "change", start=0, target=100, unit="%", aligned=True, key=key)


COMPANY_OBJECTIVES = (
    ObjSpec(
        "Become the knowledge base teams can't work without",
        (
            change(
                "Grow weekly active teams from 1,800 to 2,600",
                1800,
                2600,
                "teams",
                owner="Product",
                ref="BL-WAT",
                initiatives=("Weekly active teams dashboard for every squad",),
            ),
            at_least(
                "Keep 12-month logo retention at or above 92%",
                92,
                "%",
                spread=1.5,
                owner="Customer Success",
            ),
            aligned("Deliver the activation and adoption bets", key="adoption-bets"),
        ),
        key="company-adoption",
    ),
    ObjSpec(
        "Build a business that funds its own growth",
        (
            change(
                "Grow ARR from €14.0M to €17.5M",
                14.0,
                17.5,
                "€M",
                owner="Sales",
                ref="BL-ARR",
                initiatives=("Annual-plan discount for teams above 50 seats",),
            ),
            within(
                "Keep quarterly operating spend within €9.4M–€10.0M",
                9.4,
                10.0,
                "€M",
                0.4,
                ref="BL-SPEND",
            ),
            at_most(
                "Keep CAC payback at or below 14 months",
                14,
                "months",
                2.5,
                owner="Marketing",
                ref="BL-CAC",
            ),
        ),
        pace="behind",
        key="company-revenue",
    ),
    ObjSpec(
        "Ship a faster, more reliable product",
        (
            change(
                "Cut p95 editor latency from 420 ms to 250 ms", 420, 250, "ms", owner="Engineering"
            ),
            aligned("Deliver the reliability programme", key="reliability"),
            at_least(
                "Keep monthly uptime at or above 99.9%",
                99.9,
                "%",
                spread=0.06,
                owner="Engineering",
                ref="BL-UPTIME",
            ),
        ),
        key="company-product",
    ),
    ObjSpec(
        "Make Brightloom a great place to do your best work",
        (
            change("Raise employee NPS from 18 to 35", 18, 35, owner="People", ref="BL-ENPS"),
            aligned("Roll out the career framework", key="career-framework"),
        ),
        pace="behind",
        key="company-people",
    ),
)

RESEARCH_LEVELS = (("Ad hoc", 0.0), ("Monthly", 0.4), ("Weekly", 0.7), ("Every team", 1.0))
FRAMEWORK_LEVELS = (("Drafted", 0.2), ("Reviewed", 0.4), ("Piloted", 0.7), ("Rolled out", 1.0))

ENGINEERING = DepartmentSpec(
    "Engineering",
    "VP Engineering",
    (
        ObjSpec(
            "Harden the platform for ten times today's load",
            (
                cut_by(
                    "Cut customer-impacting incidents by 30%",
                    0.3,
                    23,
                    "incidents",
                    ref="BL-INCIDENTS",
                ),
                milestone(
                    "Move every workspace to the new storage layer",
                    initiatives=("Dual-write period with nightly consistency checks",),
                ),
                change("Raise automated test coverage from 61% to 75%", 61, 75, "%"),
            ),
            parent="reliability",
            pace="behind",
            key="eng-platform",
        ),
        ObjSpec(
            "Make the editor feel instant",
            (
                change("Cut p95 keystroke latency from 120 ms to 60 ms", 120, 60, "ms"),
                at_most("Keep the web bundle at or below 900 KB", 900, "KB", 60),
            ),
            parent="reliability",
            key="eng-editor",
        ),
        ObjSpec(
            "Take Brightloom everywhere with offline mode",
            (
                milestone("Launch offline mode on iOS and Android", ref="BL-OFFLINE"),
                change("Raise the app store rating from 4.1 to 4.5", 4.1, 4.5, "★"),
            ),
            parent="company-adoption",
            pace="risk",
            key="eng-mobile",
        ),
    ),
    (
        TeamSpec(
            "Platform",
            "Engineering manager",
            "Platform engineer",
            (
                ObjSpec(
                    "Make storage migrations boring",
                    (
                        change("Migrate 100% of workspaces to the new storage layer", 0, 100, "%"),
                        at_most("Keep failed migration batches at or below 2%", 2, "%", 0.8),
                    ),
                    parent="eng-platform",
                    pace="behind",
                    key="migrations",
                ),
                ObjSpec(
                    "Page less, sleep more",
                    (
                        change("Cut pages per on-call week from 14 to 5", 14, 5, "pages"),
                        change("Write runbooks for the 12 noisiest alerts", 0, 12, "runbooks"),
                    ),
                    parent="eng-platform",
                    key="on-call",
                ),
            ),
            (
                ObjSpec(
                    "Automate the storage migration runbook",
                    (change("Automate 8 manual migration steps", 0, 8, "steps"),),
                    parent="migrations",
                ),
                ObjSpec(
                    "Get ready to lead on-call",
                    (levels("Reach 'target' on the on-call readiness checklist"),),
                    parent="on-call",
                    pace="ahead",
                ),
            ),
        ),
        TeamSpec(
            "Editor",
            "Engineering manager",
            "Software engineer",
            (
                ObjSpec(
                    "Type without waiting",
                    (
                        change("Cut p95 render time from 90 ms to 40 ms", 90, 40, "ms"),
                        milestone("Ship the incremental renderer"),
                    ),
                    parent="eng-editor",
                    key="render",
                ),
                ObjSpec(
                    "Edit together without conflicts",
                    (change("Cut sync conflicts per 1,000 edits from 3.2 to 1.0", 3.2, 1.0),),
                    parent="eng-editor",
                    pace="ahead",
                    key="sync",
                ),
            ),
            (
                ObjSpec(
                    "Fix the slowest editor code paths",
                    (change("Fix the 10 slowest profiled code paths", 0, 10, "fixes"),),
                    parent="render",
                ),
                ObjSpec(
                    "Learn CRDTs well enough to teach them",
                    (milestone("Give the internal talk on CRDTs"),),
                    parent="sync",
                    pace="ahead",
                ),
            ),
        ),
        TeamSpec(
            "Mobile",
            "Mobile lead",
            "Mobile engineer",
            (
                ObjSpec(
                    "Keep working without a connection",
                    (
                        milestone("Ship the offline mode beta"),
                        at_least(
                            "Keep crash-free sessions at or above 99.5%", 99.5, "%", spread=0.3
                        ),
                    ),
                    parent="eng-mobile",
                    pace="risk",
                    key="offline",
                ),
                ObjSpec(
                    "Be fast on older phones",
                    (
                        change(
                            "Cut cold start on low-end Android from 4.2 s to 2.5 s", 4.2, 2.5, "s"
                        ),
                    ),
                    parent="eng-mobile",
                    pace="behind",
                    key="cold-start",
                ),
            ),
            (
                ObjSpec(
                    "Own the offline sync engine",
                    (
                        milestone("Merge the sync engine behind a flag"),
                        change("Cut sync test flakiness from 9% to 2%", 9, 2, "%"),
                    ),
                    parent="offline",
                    pace="risk",
                ),
                ObjSpec(
                    "Fix what crashes most on Android",
                    (change("Fix the 15 most frequent crashes", 0, 15, "crashes"),),
                    parent="cold-start",
                    pace="behind",
                ),
            ),
        ),
        TeamSpec(
            "Data",
            "Data lead",
            "Analytics engineer",
            (
                ObjSpec(
                    "Give every team numbers it can trust",
                    (
                        within("Keep dashboard data delay within 1–6 hours", 1, 6, "h"),
                        change("Retire 8 legacy reports", 0, 8, "reports"),
                    ),
                    parent="product-activation",
                    key="trust",
                ),
                ObjSpec(
                    "Launch self-serve analytics for customers",
                    (
                        milestone("Open the analytics beta"),
                        at_least("Sign up 20 beta customers", 20, "customers"),
                    ),
                    parent="product-pricing",
                    pace="behind",
                    key="analytics",
                ),
            ),
            (
                ObjSpec(
                    "Move dashboards to the new warehouse",
                    (change("Migrate 30 dashboards", 0, 30, "dashboards"),),
                    parent="trust",
                ),
                ObjSpec(
                    "Grow as an analytics engineer",
                    (levels("Level on the analytics-engineering skills matrix"),),
                    parent="trust",
                    pace="stale",
                    private=True,
                ),
            ),
        ),
    ),
)

PRODUCT = DepartmentSpec(
    "Product",
    "Head of Product",
    (
        ObjSpec(
            "Turn new sign-ups into active teams",
            (
                change(
                    "Raise week-1 activation from 34% to 45%",
                    34,
                    45,
                    "%",
                    initiatives=("Checklist-driven first session",),
                ),
                levels("Make customer research a habit", RESEARCH_LEVELS, ref="BL-RESEARCH"),
            ),
            parent="adoption-bets",
            pace="behind",
            key="product-activation",
        ),
        ObjSpec(
            "Make templates the fastest way to start",
            (
                change("Grow docs started from a template from 8% to 20%", 8, 20, "%"),
                milestone("Publish the template gallery"),
            ),
            parent="adoption-bets",
            key="product-templates",
        ),
        ObjSpec(
            "Price for expansion",
            (
                change("Raise expansion revenue from €310k to €450k a month", 310, 450, "k€"),
                milestone("Launch the new Business plan"),
            ),
            parent="company-revenue",
            key="product-pricing",
        ),
    ),
    (
        TeamSpec(
            "Product Design",
            "Design lead",
            "Product designer",
            (
                ObjSpec(
                    "Make the first ten minutes delightful",
                    (
                        change("Raise first-session task success from 62% to 80%", 62, 80, "%"),
                        levels("Usability rating of the new onboarding"),
                    ),
                    parent="product-activation",
                    key="first-minutes",
                ),
                ObjSpec(
                    "One design system for web and mobile",
                    (
                        change(
                            "Move 40 components to the shared design system", 0, 40, "components"
                        ),
                    ),
                    parent="eng-editor",
                    pace="ahead",
                    key="design-system",
                ),
            ),
            (
                ObjSpec(
                    "Test onboarding with real teams",
                    (change("Run 15 usability sessions", 0, 15, "sessions"),),
                    parent="first-minutes",
                ),
                ObjSpec(
                    "Document the design system",
                    (change("Publish guidance for 40 components", 0, 40, "components"),),
                    parent="design-system",
                ),
            ),
        ),
        TeamSpec(
            "Growth",
            "Growth lead",
            "Growth engineer",
            (
                ObjSpec(
                    "Grow activation through experiments",
                    (
                        at_least("Run 12 activation experiments", 12, "experiments"),
                        change("Raise the invite rate from 18% to 25%", 18, 25, "%"),
                    ),
                    parent="product-activation",
                    pace="behind",
                    key="experiments",
                ),
                ObjSpec(
                    "Templates that sell themselves",
                    (change("Publish 40 new templates", 0, 40, "templates"),),
                    parent="product-templates",
                    key="template-growth",
                ),
            ),
            (
                ObjSpec(
                    "Run the invite-flow experiments",
                    (change("Ship 4 invite-flow experiments", 0, 4, "experiments"),),
                    parent="experiments",
                    pace="risk",
                ),
                ObjSpec(
                    "Start a weekly experiment review",
                    (milestone("Hold the first cross-team experiment review"),),
                    parent="experiments",
                    pace="ahead",
                ),
            ),
        ),
    ),
)

SALES = DepartmentSpec(
    "Sales",
    "VP Sales",
    (
        ObjSpec(
            "Win the mid-market",
            (
                change("Grow mid-market pipeline from €2.1M to €3.5M", 2.1, 3.5, "€M"),
                at_least("Close 25 new mid-market customers", 25, "customers"),
            ),
            parent="company-revenue",
            pace="behind",
            key="sales-midmarket",
        ),
        ObjSpec(
            "Make enterprise deals faster",
            (
                change(
                    "Cut the enterprise sales cycle from 120 to 90 days",
                    120,
                    90,
                    "days",
                    initiatives=("Pre-approved security pack", "Standard order form"),
                ),
                milestone("Sign two reference customers"),
            ),
            parent="company-revenue",
            pace="risk",
            key="sales-enterprise",
        ),
    ),
    (
        TeamSpec(
            "Enterprise Sales",
            "Enterprise sales director",
            "Account executive",
            (
                ObjSpec(
                    "Shorten the path to signature",
                    (
                        change("Cut legal review from 21 to 10 days", 21, 10, "days"),
                        at_most("Keep discounts at or below 15%", 15, "%", 4),
                    ),
                    parent="sales-enterprise",
                    pace="risk",
                    key="signature",
                ),
                ObjSpec(
                    "Expand inside our biggest customers",
                    (
                        change(
                            "Grow seats in the top 20 accounts from 9,000 to 12,000",
                            9000,
                            12000,
                            "seats",
                        ),
                    ),
                    parent="sales-enterprise",
                    key="expansion",
                ),
            ),
            (
                ObjSpec(
                    "Close my three strategic deals",
                    (at_least("Close 3 strategic deals", 3, "deals"),),
                    parent="signature",
                    pace="behind",
                ),
                ObjSpec(
                    "Master the security questionnaire",
                    (milestone("Answer a security questionnaire without help"),),
                    parent="signature",
                ),
            ),
        ),
        TeamSpec(
            "Mid-Market Sales",
            "Sales manager",
            "Account executive",
            (
                ObjSpec(
                    "Build a repeatable mid-market motion",
                    (
                        change("Book 120 qualified demos", 0, 120, "demos"),
                        change("Raise demo-to-close rate from 18% to 24%", 18, 24, "%"),
                    ),
                    parent="sales-midmarket",
                    pace="behind",
                    key="motion",
                ),
            ),
            (
                ObjSpec(
                    "Book my share of demos",
                    (change("Book 40 qualified demos", 0, 40, "demos"),),
                    parent="motion",
                ),
                ObjSpec(
                    "Sharpen my discovery calls",
                    (levels("Score on the discovery-call rubric"),),
                    parent="motion",
                ),
            ),
        ),
    ),
)

MARKETING = DepartmentSpec(
    "Marketing",
    "Head of Marketing",
    (
        ObjSpec(
            "Fill the pipeline with the right teams",
            (
                change(
                    "Raise marketing-qualified leads from 900 to 1,400 a month", 900, 1400, "leads"
                ),
                at_most("Keep cost per lead at or below €85", 85, "€", 12),
            ),
            parent="company-revenue",
            key="mkt-pipeline",
        ),
        ObjSpec(
            "Be the name people think of for team knowledge",
            (
                change("Grow organic sign-ups from 3,200 to 4,500 a month", 3200, 4500, "sign-ups"),
                milestone(
                    "Launch the 'Write it down' campaign",
                    initiatives=("Partner podcast season", "City billboard test"),
                ),
            ),
            parent="company-adoption",
            key="mkt-brand",
        ),
    ),
    (
        TeamSpec(
            "Content and Brand",
            "Content lead",
            "Content marketer",
            (
                ObjSpec(
                    "Publish what teams want to read",
                    (
                        change(
                            "Grow newsletter subscribers from 21,000 to 30,000",
                            21000,
                            30000,
                            "subscribers",
                        ),
                        within("Publish 3–5 posts a week", 3, 5, "posts"),
                    ),
                    parent="mkt-brand",
                    key="content",
                ),
            ),
            (
                ObjSpec(
                    "Publish the customer story series",
                    (change("Publish 6 customer stories", 0, 6, "stories"),),
                    parent="content",
                    pace="ahead",
                ),
            ),
        ),
        TeamSpec(
            "Demand Generation",
            "Demand generation lead",
            "Campaign manager",
            (
                ObjSpec(
                    "Turn events into pipeline",
                    (
                        change("Source €600k of pipeline from events", 0, 600, "k€"),
                        at_most("Keep cost per MQL at or below €70", 70, "€", 10),
                    ),
                    parent="mkt-pipeline",
                    key="events",
                ),
            ),
            (
                ObjSpec(
                    "Run the webinar series",
                    (
                        change("Run 5 webinars", 0, 5, "webinars"),
                        at_most("Keep cost per attendee at or below €12", 12, "€", 2),
                    ),
                    parent="events",
                ),
            ),
        ),
    ),
)

CUSTOMER_SUCCESS = DepartmentSpec(
    "Customer Success",
    "Head of Customer Success",
    (
        ObjSpec(
            "Help every customer succeed in their first 90 days",
            (
                change("Raise onboarding completion from 55% to 75%", 55, 75, "%"),
                within("Keep first-response time within 1–4 hours", 1, 4, "h", 1.5),
            ),
            parent="adoption-bets",
            key="cs-onboarding",
        ),
        ObjSpec(
            "Keep the customers we have",
            (
                at_least("Keep gross revenue retention at or above 90%", 90, "%", spread=2),
                change("Run business reviews with the top 50 accounts", 0, 50, "reviews"),
            ),
            parent="company-adoption",
            pace="behind",
            key="cs-retention",
        ),
    ),
    (
        TeamSpec(
            "Support",
            "Support lead",
            "Support engineer",
            (
                ObjSpec(
                    "Answer faster, solve first time",
                    (
                        change("Cut median first response from 5 h to 2 h", 5, 2, "h"),
                        change("Raise first-contact resolution from 64% to 75%", 64, 75, "%"),
                    ),
                    parent="cs-onboarding",
                    key="support-speed",
                ),
                ObjSpec(
                    "Help customers help themselves",
                    (change("Rewrite the 25 most-read help articles", 0, 25, "articles"),),
                    parent="cs-retention",
                    pace="stale",
                    key="self-serve",
                ),
            ),
            (
                ObjSpec(
                    "Become the go-to expert on integrations",
                    (levels("Integration expertise"),),
                    parent="support-speed",
                ),
            ),
        ),
        TeamSpec(
            "Onboarding",
            "Onboarding lead",
            "Onboarding specialist",
            (
                ObjSpec(
                    "Live in a week",
                    (
                        change("Cut time to first value from 14 to 7 days", 14, 7, "days"),
                        at_least("Onboard 60 new teams with a guided plan", 60, "teams"),
                    ),
                    parent="cs-onboarding",
                    key="live-in-a-week",
                ),
            ),
            (
                ObjSpec(
                    "Build the guided onboarding plan",
                    (milestone("Publish the 30-day guided plan"),),
                    parent="live-in-a-week",
                    pace="ahead",
                ),
            ),
        ),
    ),
)

PEOPLE = DepartmentSpec(
    "People",
    "Head of People",
    (
        ObjSpec(
            "Hire great people, fast",
            (
                change("Cut time to hire from 48 to 35 days", 48, 35, "days"),
                at_least("Hire 14 people to plan", 14, "hires"),
            ),
            parent="company-people",
            pace="behind",
            key="people-hiring",
        ),
        ObjSpec(
            "Grow our managers",
            (
                change("Put all 20 managers through coaching", 0, 20, "managers"),
                levels("Career framework adoption", FRAMEWORK_LEVELS),
            ),
            parent="career-framework",
            key="people-managers",
        ),
    ),
    (
        TeamSpec(
            "Talent",
            "Talent lead",
            "Recruiter",
            (
                ObjSpec(
                    "A hiring process candidates recommend",
                    (
                        change("Raise candidate NPS from 30 to 50", 30, 50),
                        at_least("Keep offer acceptance at or above 80%", 80, "%", spread=8),
                    ),
                    parent="people-hiring",
                    key="candidate-experience",
                ),
                ObjSpec(
                    "Get new hires productive in their first month",
                    (change("Raise new-hire onboarding score from 3.6 to 4.3", 3.6, 4.3, "/5"),),
                    parent="people-hiring",
                    key="new-hires",
                ),
            ),
            (
                ObjSpec(
                    "Fill the engineering pipeline",
                    (change("Source 60 qualified engineering candidates", 0, 60, "candidates"),),
                    parent="candidate-experience",
                    pace="behind",
                ),
            ),
        ),
    ),
)

DEPARTMENTS = (ENGINEERING, PRODUCT, SALES, MARKETING, CUSTOMER_SUCCESS, PEOPLE)

# The closed quarter before the current one: (department, or "" for the company; objective).
PREVIOUS_OBJECTIVES: tuple[tuple[str, ObjSpec], ...] = (
    (
        "",
        ObjSpec(
            "Launch Brightloom on mobile",
            (
                milestone("Ship the iOS and Android apps"),
                change("Reach 20,000 monthly mobile users", 0, 20000, "users"),
            ),
            pace="ahead",
            key="prev-mobile",
        ),
    ),
    (
        "",
        ObjSpec(
            "Earn more from every customer",
            (
                change("Raise gross margin from 71% to 76%", 71, 76, "%"),
                at_most("Keep infrastructure cost per team at or below €4.20", 4.2, "€", 0.5),
            ),
            pace="behind",
            key="prev-margin",
        ),
    ),
    (
        "Engineering",
        ObjSpec(
            "Ship the mobile apps",
            (change("Close the 40 launch-blocking bugs", 0, 40, "bugs"),),
            parent="prev-mobile",
            pace="ahead",
        ),
    ),
    (
        "Sales",
        ObjSpec(
            "Open the mid-market segment",
            (at_least("Close 15 mid-market customers", 15, "customers"),),
            parent="prev-margin",
            pace="behind",
        ),
    ),
    (
        "Customer Success",
        ObjSpec(
            "Move support to follow-the-sun",
            (change("Cut overnight first response from 11 h to 4 h", 11, 4, "h"),),
            parent="prev-margin",
        ),
    ),
)

NOTES = {
    "good": (
        "Ahead of plan; the last release helped a lot.",
        "Steady week, no surprises.",
        "Good momentum after the offsite.",
        "Customer feedback confirms we're on the right track.",
        "Finished earlier than planned; moving on to polish.",
    ),
    "meh": (
        "Slower week: half the team was on support rotation.",
        "Waiting on a dependency from another team.",
        "Numbers wobble week to week; the trend is still fine.",
        "Re-scoped slightly to fit the quarter.",
    ),
    "bad": (
        "Blocked on the vendor contract; escalated.",
        "Two people out sick; we're slipping.",
        "The first approach didn't work; trying another.",
        "Priorities shifted to an urgent customer issue.",
        "Not sure we can make this one this quarter.",
    ),
}

FIRST_NAMES = (
    "Aisha", "Bruno", "Chiara", "Dmitri", "Elif", "Farid", "Greta", "Hiro", "Ines", "Jonas",
    "Kemal", "Lena", "Mateo", "Nadia", "Oskar", "Priya", "Quentin", "Rosa", "Sven", "Tamar",
    "Umar", "Vera", "Wen", "Ximena", "Yusuf", "Zofia", "Amara", "Bastian", "Carmen", "Dario",
    "Esther", "Felix", "Gabriel", "Hana", "Ivo", "Julia", "Kofi", "Leila", "Marek", "Noor",
    "Olga", "Pavel", "Rania", "Santiago", "Thea", "Valentin", "Wiebke", "Yara",
)  # fmt: skip
LAST_NAMES = (
    "Abara", "Becker", "Costa", "Demir", "Eriksen", "Fischer", "Garcia", "Horvat", "Ito",
    "Jansen", "Kowalski", "Laine", "Moreau", "Nakamura", "Okafor", "Petrov", "Quinn", "Rossi",
    "Schmidt", "Tanaka", "Uysal", "Varga", "Weber", "Xu", "Yilmaz", "Zimmermann", "Andersen",
    "Bianchi", "Castro", "Dubois", "Engel", "Ferreira", "Gupta", "Hoffmann", "Ivanova",
    "Jovanovic", "Keller", "Lindgren", "Mensah", "Novak", "Olsen", "Park", "Rahman", "Silva",
    "Torres", "Vogel", "Wagner", "Young",
)  # fmt: skip
CEO = ("Hanna", "Lindqvist")


# --- results -----------------------------------------------------------------------------


@dataclass
class DemoSummary:
    organisation: str
    today: date
    quarter: str
    admin_email: str
    member_email: str
    password: str
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class _Planned:
    """A check-in to record once all are planned, so they go in in calendar order."""

    day: date
    order: int
    key_result: KeyResult
    author: Person | None
    reading: dict
    confidence: int | None
    note: str


# --- entry point -------------------------------------------------------------------------


def build_demo(today: date, scale: int = 1) -> DemoSummary:
    """Wipe a previous demo (refusing real data) and build Brightloom as of `today`.

    `scale` multiplies the teams (and so their people, objectives and check-ins)."""
    if scale < 1:
        raise ValueError("scale must be at least 1")
    # The demo records check-ins up to `today`, and record_check_in refuses any dated after
    # the organisation's real today: say so up front rather than fail half-way.
    real_today = timezone.now().astimezone(ZoneInfo(TIME_ZONE)).date()
    if today > real_today:
        raise DemoRefused(
            f"The demo's today, {today}, is in the future (it is {real_today} in {TIME_ZONE}); "
            "check-ins cannot be dated in the future. Give today or an earlier day."
        )
    # Replaying weeks of history must not notify anyone, nor mail 40 people.
    with muted(), transaction.atomic():
        existing = Organisation.objects.order_by("pk").first()
        refuse_real_data(existing)
        wipe()
        return _Builder(today, scale).build()


def refuse_real_data(org: Organisation | None) -> None:
    """Raise DemoRefused unless the database is empty or holds an earlier demo."""
    if org is not None and org.is_demo:
        return
    found = [
        label
        for label, model in (
            ("units", Unit),
            ("people", Person),
            ("objectives", Objective),
            ("user accounts", User),
        )
        if model.objects.exists()
    ]
    if found:
        raise DemoRefused(
            f"This database holds {', '.join(found)} that are not from a demo; the demo would "
            "wipe them, so it stops here. Point NORTHSTAR_DATA_DIR (or DATABASE_URL) at an "
            "empty database for the demo."
        )


def wipe() -> None:
    """Delete the previous demo. Self-references are PROTECTed, so cut them first."""
    # The audit trail is append-only everywhere else, and its `actor` PROTECTs the people who
    # acted, so once anyone used the demo (a check-in with --as, on the web) its people could
    # not be deleted. This is the one place audit rows go: `build_demo` only wipes a database
    # holding nothing but a previous demo (`refuse_real_data`), and a demo is rebuilt from
    # scratch, history included. The base manager lacks the refusing AuditQuerySet, and with
    # nothing referencing audit rows its delete is one plain DELETE.
    AuditEvent._base_manager.all().delete()
    Objective.objects.update(parent_objective=None, parent_key_result=None)
    KeyResult.objects.update(current_check_in=None)
    for model in (CheckIn, Initiative, KeyResult, Objective):
        model.objects.all().delete()
    Cycle.objects.update(parent=None)
    Cycle.objects.all().delete()
    Person.objects.all().delete()
    Unit.objects.update(parent=None)
    Unit.objects.all().delete()
    User.objects.all().delete()


# --- the builder -------------------------------------------------------------------------


class _Builder:
    def __init__(self, today: date, scale: int) -> None:
        self.today = today
        self.scale = scale
        self.rng = random.Random(SEED)
        self.zone = ZoneInfo(TIME_ZONE)
        self.refs: dict[str, Objective | KeyResult] = {}
        # key result pk → (spec, pace, whether it belongs to a copied team)
        self.specs: dict[int, tuple[KRSpec, str, bool]] = {}
        self.copy = 1  # which copy of the teams is being built, when scale > 1
        self.heads: dict[str, Person] = {}
        self.units: dict[str, Unit] = {}
        self.ticks = itertools.count()  # orders created_at stamps
        self.names = itertools.count()
        self.password = make_password(PASSWORD)  # hashed once: hashing is slow on purpose
        self.member_email = ""

    def build(self) -> DemoSummary:
        self.org = self._organisation()
        self.year, self.quarter, self.previous = self._cycles()
        self._company()
        # Every department objective exists before any team aligns to one: teams may align
        # across departments.
        units = [self._department(department) for department in DEPARTMENTS]
        for copy in range(1, self.scale + 1):
            for spec, unit in zip(DEPARTMENTS, units, strict=True):
                for team in spec.teams:
                    self._team(team, unit, self.heads[spec.name], copy)
        self._previous_quarter()
        self._check_in(self.quarter, self.today)
        from northstar.feedback.demo import converse  # local: feedback builds on okrs

        converse(self.quarter, self.today)
        self._check_in(self.previous, self.previous.end)
        self._close_previous_quarter()
        return DemoSummary(
            COMPANY_NAME, self.today, self.quarter.name, ADMIN_EMAIL, self.member_email, PASSWORD,
            demo_counts(self.quarter, self.org, self.today),
        )  # fmt: skip

    # organisation, cycles, people

    def _organisation(self) -> Organisation:
        org = Organisation.get()
        org.name = COMPANY_NAME
        org.time_zone = TIME_ZONE
        org.is_demo = True
        org.fiscal_year_start_month = 1
        org.check_in_cadence_days = 7
        org.behind_threshold, org.at_risk_threshold = 0.85, 0.6
        org.save()
        return org

    def _cycles(self) -> tuple[Cycle, Cycle, Cycle]:
        start, end = quarter_bounds(self.today)
        previous_end = start - timedelta(days=1)
        previous_start, _ = quarter_bounds(previous_end)
        years = {y: _year_cycle(y) for y in sorted({previous_start.year, start.year})}
        previous = _quarter_cycle(previous_start, previous_end, years[previous_start.year])
        quarter = _quarter_cycle(start, end, years[start.year])
        return years[start.year], quarter, previous

    def _stamp(self, day: date, hour: int = 9) -> datetime:
        """A fixed instant on `day`, a second later each call: deterministic and ordered."""
        moment = datetime.combine(day, time(hour), tzinfo=self.zone)
        return moment + timedelta(seconds=next(self.ticks))

    def _person(self, unit: Unit, title: str, manager: Person | None, email: str = "") -> Person:
        first, last = CEO if not manager else self._next_name()
        email = email or f"{first}.{last}@{DOMAIN}".lower()
        user = User.objects.create(
            username=email, email=email, first_name=first, last_name=last,
            password=self.password, is_staff=email == ADMIN_EMAIL,
            is_superuser=email == ADMIN_EMAIL, date_joined=self._stamp(self.year.start),
        )  # fmt: skip
        return Person.objects.create(
            name=f"{first} {last}", email=email, user=user, unit=unit, manager=manager,
            job_title=title,
        )  # fmt: skip

    def _next_name(self) -> tuple[str, str]:
        # n = a + 48 b maps to (a, 5a + b): distinct pairs for the first 48² people.
        n = next(self.names)
        size = len(FIRST_NAMES)
        a, b = n % size, n // size
        return FIRST_NAMES[a], LAST_NAMES[(5 * a + b) % len(LAST_NAMES)]

    # objectives

    def _company(self) -> None:
        company = Unit.objects.create(name=COMPANY_NAME, kind=Unit.Kind.COMPANY)
        self.ceo = self._person(company, "CEO", None, ADMIN_EMAIL)
        company.leads.add(self.ceo)
        self.units[""] = company
        for position, spec in enumerate(COMPANY_OBJECTIVES):
            self._objective(spec, self.quarter, company, self.ceo, position, self.refs)

    def _department(self, spec: DepartmentSpec) -> Unit:
        unit = Unit.objects.create(name=spec.name, kind=Unit.Kind.DEPARTMENT, parent=self.units[""])
        head = self._person(unit, spec.head_title, self.ceo)
        unit.leads.add(head)
        self.heads[spec.name], self.units[spec.name] = head, unit
        for position, objective in enumerate(spec.objectives):
            self._objective(objective, self.quarter, unit, head, position, self.refs)
        return unit

    def _team(self, spec: TeamSpec, department: Unit, head: Person, copy: int) -> None:
        self.copy = copy
        name = spec.name if copy == 1 else f"{spec.name} {copy}"
        unit = Unit.objects.create(name=name, kind=Unit.Kind.TEAM, parent=department)
        lead = self._person(unit, spec.lead_title, head)
        unit.leads.add(lead)
        local = dict(self.refs)  # team keys stay local so copies align to their own team
        shared = [
            self._objective(objective, self.quarter, unit, lead, position, local)
            for position, objective in enumerate(spec.objectives)
        ]
        members = []
        for position, personal in enumerate(spec.personal):
            members.append(self._person(unit, spec.member_title, lead))
            self.member_email = self.member_email or members[-1].email
            self._objective(personal, self.quarter, None, members[-1], position, local)
        # The whole team works on (and may check in on) the team's key results.
        for kr in KeyResult.objects.filter(objective__in=shared):
            kr.contributors.add(*members)

    def _previous_quarter(self) -> None:
        refs: dict[str, Objective | KeyResult] = {}
        for position, (department, spec) in enumerate(PREVIOUS_OBJECTIVES):
            owner = self.heads.get(department, self.ceo)
            self._objective(spec, self.previous, self.units[department], owner, position, refs)

    def _objective(
        self,
        spec: ObjSpec,
        cycle: Cycle,
        unit: Unit | None,
        owner: Person,
        position: int,
        refs: dict[str, Objective | KeyResult],
    ) -> Objective:
        parent = refs[spec.parent] if spec.parent else None
        objective = actions.save_objective(
            Objective(
                title=spec.title, cycle=cycle, owner=owner, unit=unit, position=position,
                parent_objective=parent if isinstance(parent, Objective) else None,
                parent_key_result=parent if isinstance(parent, KeyResult) else None,
                created_at=self._stamp(cycle.start - timedelta(days=10)),
                is_private=spec.private,
            )
        )  # fmt: skip
        if spec.key:
            refs[spec.key] = objective
        for index, kr_spec in enumerate(spec.krs):
            self._key_result(objective, kr_spec, index, spec.pace, refs)
        return objective

    def _key_result(
        self,
        objective: Objective,
        spec: KRSpec,
        position: int,
        pace: str,
        refs: dict[str, Objective | KeyResult],
    ) -> KeyResult:
        owner = self.heads.get(spec.owner, objective.owner)
        kr = actions.save_key_result(
            KeyResult(
                objective=objective, title=spec.title, owner=owner, kind=spec.kind,
                start=spec.start, target=spec.target, low=spec.low, high=spec.high,
                relative=spec.relative, unit=spec.unit, position=position, external_ref=spec.ref,
                levels=[{"name": n, "score": s, "description": ""} for n, s in spec.levels],
                progress_source="aligned" if spec.aligned else "own",
                created_at=self._stamp(objective.cycle.start - timedelta(days=10)),
            )
        )  # fmt: skip
        if spec.key:
            refs[spec.key] = kr
        self.specs[kr.pk] = (spec, pace, self.copy > 1)
        for title in spec.initiatives:
            status = self.rng.choice(list(Initiative.Status.values))
            Initiative.objects.create(
                key_result=kr, title=title, owner=owner, status=status,
                created_at=self._stamp(objective.cycle.start),
            )  # fmt: skip
        return kr

    # check-ins

    def _check_in(self, cycle: Cycle, last_day: date) -> None:
        """Plan every key result's readings, then record them in calendar order."""
        planned: list[_Planned] = []
        key_results = KeyResult.objects.filter(objective__cycle=cycle, progress_source="own")
        # One instance per key result for all its check-ins: record_check_in keeps the
        # current check-in on the instance it is given.
        for kr in key_results.select_related("objective__cycle", "owner").order_by("pk"):
            spec, pace, copied = self.specs[kr.pk]
            planned.extend(self._plan(kr, spec, pace, min(last_day, cycle.end), copied))
        for item in sorted(planned, key=lambda p: (p.day, p.order)):
            actions.record_check_in(
                key_result=item.key_result, author=item.author, measured_on=item.day,
                confidence=item.confidence, note=item.note, org=self.org,
                created_at=self._stamp(item.day, hour=17), **item.reading,
            )  # fmt: skip

    def _plan(
        self, kr: KeyResult, spec: KRSpec, pace: str, last_day: date, copied: bool
    ) -> list[_Planned]:
        cycle = kr.objective.cycle
        days = self._days(cycle.start, last_day, pace == "stale")
        # Copied teams only add bulk for scale tests: their latest reading is enough, and
        # keeps a 10x build from taking minutes.
        days = days[-1:] if copied else days
        plans = []
        for number, day in enumerate(days):
            expected = math.expected_progress(cycle.start, cycle.end, day)
            fraction = PACES[pace] * expected + self.rng.gauss(0, 0.04)
            good = self.rng.random() < HOLD_CHANCE[pace]
            reading = self._reading(spec, max(-0.05, min(1.1, fraction)), good, number, pace)
            plans.append(
                _Planned(
                    day, next(self.ticks), kr, kr.owner, reading, self._confidence(pace),
                    self._note(pace, good),
                )
            )  # fmt: skip
        return plans

    def _days(self, start: date, last: date, stale: bool) -> list[date]:
        """Weekly check-in days from just after the start to `last`; a stale key result
        stopped checking in a couple of weeks ago."""
        day = start + timedelta(days=self.rng.randint(2, 5))
        days = []
        while day <= last:
            days.append(day)
            day += timedelta(days=7)
        # An occasional missed week, but never the latest one.
        days = [d for d in days[:-1] if self.rng.random() > 0.2] + days[-1:]
        if stale:
            cutoff = last - timedelta(days=self.rng.randint(12, 18))
            days = [d for d in days if d <= cutoff]
        return days

    def _reading(self, spec: KRSpec, fraction: float, good: bool, number: int, pace: str) -> dict:
        if spec.kind == "milestone":
            return {"done": PACES[pace] >= 1.0 and fraction >= 0.35}
        if spec.kind == "levels":
            return {"level": _level_for(spec, fraction)}
        if spec.relative is not None:
            value = spec.baseline * (1 + spec.relative * fraction) if number else spec.baseline
            return {"value": _tidy(value, spec.baseline)}
        if spec.held:
            return {"value": self._held_value(spec, good)}
        if spec.kind == "at_least":  # counted up to its target
            return {"value": float(max(0, round(fraction * spec.target)))}
        value = spec.start + fraction * (spec.target - spec.start)
        if spec.start == 0:  # counting things done: whole numbers
            return {"value": float(max(0, round(value)))}
        return {"value": _tidy(value, abs(spec.target - spec.start))}

    def _held_value(self, spec: KRSpec, good: bool) -> float:
        """A reading around a threshold or band: inside it when `good`, else past it."""
        spread, rng = spec.spread, self.rng
        if spec.kind == "within":
            if good:
                return _tidy(rng.uniform(spec.low, spec.high), spread)
            outside = rng.uniform(0.1, 0.6) * spread
            return _tidy(spec.high + outside if rng.random() < 0.5 else spec.low - outside, spread)
        sign = 1 if spec.kind == "at_least" else -1
        offset = rng.uniform(0, 0.8) * spread if good else -rng.uniform(0.2, 1.0) * spread
        return _tidy(spec.target + sign * offset, spread)

    def _confidence(self, pace: str) -> int | None:
        if self.rng.random() < 0.1:
            return None  # not everyone rates their confidence
        if pace == "risk" and self.rng.random() < 0.25:
            return 8  # optimism that the numbers don't support
        return max(1, min(10, CONFIDENCE[pace] + self.rng.choice((-1, 0, 0, 1))))

    def _note(self, pace: str, good: bool) -> str:
        if self.rng.random() > 0.45:
            return ""
        mood = "good" if PACES[pace] >= 1.0 and good else "bad" if pace == "risk" else "meh"
        return self.rng.choice(NOTES[mood])

    def _close_previous_quarter(self) -> None:
        for objective in Objective.objects.filter(cycle=self.previous).order_by("pk"):
            achieved = (objective.progress or 0) >= 0.7
            objective.state = State.CLOSED
            objective.outcome = Outcome.ACHIEVED if achieved else Outcome.NOT_ACHIEVED
            actions.save_objective(objective)


# --- helpers -----------------------------------------------------------------------------


def quarter_bounds(day: date) -> tuple[date, date]:
    """First and last day of the calendar quarter holding `day`."""
    first_month = (day.month - 1) // 3 * 3 + 1
    start = date(day.year, first_month, 1)
    if first_month == 10:
        following = date(day.year + 1, 1, 1)
    else:
        following = date(day.year, first_month + 3, 1)
    return start, following - timedelta(days=1)


def _year_cycle(year: int) -> Cycle:
    return Cycle.objects.create(
        name=str(year), kind=Cycle.Kind.YEAR, start=date(year, 1, 1), end=date(year, 12, 31)
    )


def _quarter_cycle(start: date, end: date, year: Cycle) -> Cycle:
    name = f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return Cycle.objects.create(
        name=name, kind=Cycle.Kind.QUARTER, start=start, end=end, parent=year
    )


def _tidy(value: float, span: float) -> float:
    """Round a reading the way a person would type it, finer for small ranges."""
    digits = 0 if span >= 20 else 1 if span >= 2 else 2
    return round(value, digits) + 0.0  # + 0.0 turns -0.0 into 0.0


def _level_for(spec: KRSpec, fraction: float) -> str:
    choices = spec.levels or tuple((lvl.name, lvl.score) for lvl in math.DEFAULT_LEVELS)
    # People rate themselves a little ahead of the numbers: "commit" soon becomes "target".
    reached = [name for name, score in choices if score <= fraction + 0.25]
    return reached[-1] if reached else choices[0][0]


def demo_counts(quarter: Cycle, org: Organisation, today: date) -> dict[str, int]:
    """Figures of the current quarter that the `demo` command prints and tests check."""
    objectives = list(Objective.objects.filter(cycle=quarter))
    counts = {
        "departments": Unit.objects.filter(kind=Unit.Kind.DEPARTMENT).count(),
        "teams": Unit.objects.filter(kind=Unit.Kind.TEAM).count(),
        "people": Person.objects.count(),
        "objectives": len(objectives),
        "key results": KeyResult.objects.filter(objective__cycle=quarter).count(),
        "check-ins": CheckIn.objects.filter(key_result__objective__cycle=quarter).count(),
    }
    for level in Level.values:
        counts[f"{level} objectives"] = sum(o.level == level for o in objectives)
    for objective in objectives:
        objective.cycle = quarter  # health() reads it
    health = Counter(str(o.health(org, today)) for o in objectives)
    counts |= {state.value: health[state.value] for state in math.Health}
    return counts
