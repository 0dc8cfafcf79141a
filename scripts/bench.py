#!/usr/bin/env python
"""`make bench`: Attend at the scale of a local authority, against a pandas baseline.

Generates an LA (default 100 schools x 1,000 pupils, a full school year of marks: about 38
million), imports it through the real `attend import` services into a fresh database (SQLite by
default; PostgreSQL with BENCH_DB=postgres and DATABASE_URL set by the Makefile), then measures:

* the marks import rate (marks per second, summaries included),
* saving one 30-pupil register through the service (p50/p95 over many registers),
* `report pupils`, `report schools` and `report penalty-threshold` LA-wide,
* the school dashboard (a mid-size school) and the LA overview for the academic year to date,
  through the real views (p50/p95 of many requests, and their query counts), each next to a
  baseline in the same run: the same page with the year summaries bypassed (the weekly path),
* a pandas baseline computing the same per-pupil figures and penalty dates from the same marks,
  in the same run, and checks that it agrees with Attend.

Results go to docs/performance.md (the section for the database used) and to standard output.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=100)
    parser.add_argument("--pupils", type=int, default=1000, help="pupils per school")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--until", default="2026-07-17", help="last day of marks")
    parser.add_argument("--registers", type=int, default=200, help="register saves to time")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each report")
    parser.add_argument("--page-runs", type=int, default=40, help="requests of each page")
    parser.add_argument(
        "--baseline-runs", type=int, default=10, help="requests of each page on the weekly path"
    )
    parser.add_argument("--workdir", default=None, help="where to put the generated files")
    parser.add_argument("--output", default=str(ROOT / "docs" / "performance.md"))
    parser.add_argument("--no-write", action="store_true", help="do not update the docs")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure the registers, reports and baseline again on the database a previous run "
        "left in --workdir (no generation, no import); written as its own section",
    )
    args = parser.parse_args()

    backend = os.environ.get("BENCH_DB", "sqlite")
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="attend-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    if backend == "sqlite":
        db = workdir / "bench.sqlite3"
        if args.reuse and not db.exists():
            sys.exit(f"--reuse: no database at {db}")
        if not args.reuse:
            db.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    elif "DATABASE_URL" not in os.environ:
        sys.exit("BENCH_DB=postgres needs DATABASE_URL (make bench starts a cluster)")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    # Import everything the run needs now, so that edits to the code during a long run cannot
    # mix two versions of the project in one measurement.
    import numpy  # noqa: F401
    import pandas  # noqa: F401

    import attend.accounts.models  # noqa: F401
    import attend.registers.demo  # noqa: F401
    import attend.registers.reports  # noqa: F401
    import attend.registers.selectors  # noqa: F401
    import attend.registers.services  # noqa: F401

    results: dict[str, Any] = {"backend": backend, "args": vars(args)}
    try:
        run(args, workdir, results)
    finally:
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    report_results(args, results)


def timed(fn: Any, *a: Any, **k: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn(*a, **k)
    return time.perf_counter() - start, value


def run(args: argparse.Namespace, workdir: Path, results: dict[str, Any]) -> None:
    from attend.organisations.services import calendar_import, schools_import
    from attend.pupils.services import contacts_import, pupils_import
    from attend.registers import demo
    from attend.registers.services import marks_import

    until = dt.date.fromisoformat(args.until)
    if args.reuse:
        from attend.registers.models import Mark

        forget_register_saves(until)
        results["marks"] = Mark.objects.count()
        results.update(bench_reports(until, args.repeat))
        results.update(bench_pages(until, args.page_runs, args.baseline_runs))
        results.update(bench_register_saves(until, args.registers))
        results.update(bench_pandas(until, results))
        return
    print(f"Generating {args.schools} schools x {args.pupils} pupils up to {until} ...", flush=True)
    seconds, files = timed(
        demo.generate,
        workdir,
        schools=args.schools,
        pupils_per_school=args.pupils,
        seed=args.seed,
        until=until,
        marks_files="monthly",
    )
    results["generate_s"] = seconds
    print(f"  generated in {seconds:.1f} s", flush=True)

    for kind, fn in (
        ("schools", schools_import),
        ("calendar", calendar_import),
        ("pupils", pupils_import),
        ("contacts", contacts_import),
    ):
        seconds, _ = timed(fn, path=files[kind])
        results[f"import_{kind}_s"] = seconds
        print(f"  import {kind}: {seconds:.1f} s", flush=True)
    total_marks, total_seconds = 0, 0.0
    for path in demo.mark_paths(files):
        seconds, result = timed(marks_import, path=path)
        total_marks += result.rows
        total_seconds += seconds
        print(f"  import {path.name}: {result.rows:,} marks in {seconds:.1f} s", flush=True)
    results["marks"] = total_marks
    results["import_marks_s"] = total_seconds
    results["import_rate"] = total_marks / total_seconds if total_seconds else 0.0

    as_of = until
    results.update(bench_reports(as_of, args.repeat))
    # Before the register saves: they write marks after `as_of`, which (rightly) turns the year
    # to date as of `as_of` back to the weekly path.
    results.update(bench_pages(as_of, args.page_runs, args.baseline_runs))
    results.update(bench_register_saves(until, args.registers))
    results.update(bench_pandas(as_of, results))


def median_time(fn: Any, repeat: int, **kwargs: Any) -> tuple[float, Any]:
    times, value = [], None
    for _ in range(repeat):
        seconds, value = timed(fn, **kwargs)
        times.append(seconds)
    return statistics.median(times), value


def bench_reports(as_of: dt.date, repeat: int) -> dict[str, Any]:
    from attend.registers import reports

    out: dict[str, Any] = {}
    for name, fn in (
        ("pupils", reports.pupils_report),
        ("schools", reports.schools_report),
        ("penalty", reports.penalty_report),
    ):
        seconds, rows = median_time(fn, repeat, as_of=as_of)
        out[f"report_{name}_s"] = seconds
        out[f"report_{name}_rows"] = rows
        print(f"  report {name}: {len(rows):,} rows, median {seconds:.2f} s", flush=True)
    return out


def percentile(times: list[float], fraction: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def bench_pages(as_of: dt.date, runs: int, baseline_runs: int) -> dict[str, Any]:
    """The school dashboard (the school of median size, as its senior attendance champion) and
    the LA overview (as an LA officer) for the academic year to date, through the real views
    with Django's test client: server time of each request, p50 and p95, and the queries of one
    request; then the same pages with the year summaries bypassed (the weekly path), as the
    baseline. Also checks that both paths give the same figures (the selectors' results)."""
    from contextlib import nullcontext

    from django.db import connection, transaction
    from django.db.models import Count
    from django.test import Client
    from django.urls import reverse
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from attend.accounts.models import Membership, User
    from attend.accounts.roles import Role
    from attend.monitoring import selectors
    from attend.organisations.models import School
    from attend.registers import year_summaries
    from attend.registers.domain import academic_year_start
    from attend.registers.reports import Period

    sizes = sorted(
        School.objects.annotate(n=Count("enrolments")).values_list("n", "pk", "local_authority")
    )
    enrolments, school_id, la_id = sizes[len(sizes) // 2]
    start = academic_year_start(as_of)
    params = {"from": start.isoformat(), "to": as_of.isoformat()}

    def user(name: str, **membership: Any) -> User:
        account, _ = User.objects.get_or_create(username=name)
        Membership.objects.get_or_create(user=account, **membership)
        return account

    senior = user(f"bench-senior-{school_id}", school_id=school_id, role=Role.SENIOR)
    officer = user(f"bench-la-officer-{la_id}", local_authority_id=la_id, role=Role.LA_OFFICER)

    def client_for(account: User) -> Client:
        client = Client()
        client.force_login(account)
        device = TOTPDevice.objects.filter(user=account, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=account, name="bench", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return client

    out: dict[str, Any] = {"page_school_enrolments": enrolments, "page_schools": len(sizes)}
    pages = (
        ("dashboard", senior, reverse("school_dashboard", args=[school_id])),
        ("overview", officer, reverse("la_overview")),
    )
    for name, account, url in pages:
        client = client_for(account)
        for path, count in (("year", runs), ("weekly", baseline_runs)):
            with year_summaries.weekly_path() if path == "weekly" else nullcontext():
                queries: list[str] = []

                def record(execute: Any, sql: str, *rest: Any, seen: list[str] = queries) -> Any:
                    seen.append(sql)
                    return execute(sql, *rest)

                with connection.execute_wrapper(record):
                    response = client.get(url, params)
                if response.status_code != 200:
                    raise SystemExit(f"{url}: HTTP {response.status_code}")
                times = []
                for _ in range(count):
                    seconds, _ = timed(client.get, url, params)
                    times.append(seconds)
            key = f"page_{name}_{path}"
            out[f"{key}_p50_ms"] = statistics.median(times) * 1000
            out[f"{key}_p95_ms"] = percentile(times, 0.95) * 1000
            out[f"{key}_queries"] = len(queries)
            out[f"{key}_runs"] = count
            print(
                f"  {name} ({path} path): p50 {out[f'{key}_p50_ms']:.1f} ms, "
                f"p95 {out[f'{key}_p95_ms']:.1f} ms, {len(queries)} queries ({count} requests)",
                flush=True,
            )
    period = Period(start, as_of)
    fast = (
        selectors.school_dashboard_for(senior, school_id, period),
        selectors.la_overview_for(officer, period),
    )
    with year_summaries.weekly_path():
        slow = (
            selectors.school_dashboard_for(senior, school_id, period),
            selectors.la_overview_for(officer, period),
        )
    out["pages_agree"] = (fast[0] == slow[0], fast[1] == slow[1])
    out["pages_year_path"] = year_summaries.covers(start, as_of) is not None
    with transaction.atomic():
        seconds, rows = timed(year_summaries.rebuild_years)
    out["rebuild_years_s"], out["rebuild_years_rows"] = seconds, rows
    print(
        f"  agreement of the two paths: dashboard {out['pages_agree'][0]}, overview "
        f"{out['pages_agree'][1]}; year summaries rebuilt in {seconds:.1f} s ({rows:,} rows)",
        flush=True,
    )
    return out


def forget_register_saves(until: dt.date) -> None:
    """Remove what an earlier run's register saves wrote after `until` (this scratch database
    only), keeping the summaries in step, so that the same registers can be taken again."""
    from django.db import connection, transaction

    from attend.registers import summaries
    from attend.registers.domain import week_of
    from attend.registers.models import Mark, Register

    last = Mark.objects.filter(date__gt=until).order_by("-date").values_list("date", flat=True)
    if not last:
        return
    with transaction.atomic():
        summaries.create_affected_table()
        week = week_of(until + dt.timedelta(days=1))
        with connection.cursor() as cursor:
            while week <= last[0]:  # every week of the saves (not only the one after `until`)
                cursor.execute(
                    f"INSERT INTO {summaries.AFFECTED} (enrolment_id, week, week_end) "
                    "SELECT DISTINCT enrolment_id, %s, %s FROM registers_mark "
                    "WHERE date > %s AND date >= %s AND date <= %s",
                    [week, week + dt.timedelta(days=6), until, week, week + dt.timedelta(days=6)],
                )
                week += dt.timedelta(days=7)
        Mark.objects.filter(date__gt=until).delete()
        Register.objects.filter(date__gt=until).delete()
        summaries.refresh_affected()


def bench_register_saves(last_day: dt.date, count: int) -> dict[str, Any]:
    """Take registers of 30 pupils on school days after the imported marks, one at a time."""
    from attend.accounts.models import Membership, User
    from attend.accounts.roles import Role
    from attend.organisations.models import RegistrationGroup
    from attend.pupils.models import Enrolment
    from attend.registers.domain import Session
    from attend.registers.selectors import is_school_session
    from attend.registers.services import MarkInput, register_take, register_version

    days: list[dt.date] = []
    day = last_day + dt.timedelta(days=1)
    while len(days) < 3:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    groups = list(RegistrationGroup.objects.select_related("school").order_by("pk"))
    timings: list[float] = []
    sizes: list[int] = []
    users: dict[int, User] = {}
    for group in groups:
        if len(timings) >= count:
            break
        roll = list(Enrolment.objects.on_roll(days[0]).filter(registration_group=group))
        if not 20 <= len(roll) <= 35:
            continue
        user = users.get(group.school_id)
        if user is None:
            user, _ = User.objects.get_or_create(username=f"bench-office-{group.school_id}")
            Membership.objects.get_or_create(user=user, school=group.school, role=Role.OFFICE)
            users[group.school_id] = user
        for day in days:
            if not is_school_session(group.school, day, Session.AM):
                continue
            entries = {e.pk: MarkInput("/" if i % 15 else "I") for i, e in enumerate(roll)}
            seconds, _ = timed(
                register_take,
                actor=user,
                group=group,
                day=day,
                session=Session.AM,
                entries=entries,
                version=register_version(group, day, Session.AM),
            )
            timings.append(seconds)
            sizes.append(len(roll))
            break
    if not timings:
        return {"register_saves": 0}
    timings.sort()
    p95 = timings[min(len(timings) - 1, int(round(0.95 * (len(timings) - 1))))]
    print(
        f"  register save: {len(timings)} registers of {min(sizes)}-{max(sizes)} pupils, "
        f"p50 {statistics.median(timings) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms",
        flush=True,
    )
    return {
        "register_saves": len(timings),
        "register_sizes": (min(sizes), max(sizes)),
        "register_p50_ms": statistics.median(timings) * 1000,
        "register_p95_ms": p95 * 1000,
    }


def bench_pandas(as_of: dt.date, results: dict[str, Any]) -> dict[str, Any]:
    """The baseline: the same per-enrolment figures and penalty dates, computed by pandas from the
    marks table of the same database."""
    import numpy as np
    import pandas as pd
    from django.db import connection

    from attend.registers.domain import CODES, HISTORIC_CODES, PENALTY_CODES, Category

    start = dt.date(as_of.year if as_of.month >= 8 else as_of.year - 1, 8, 1)
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT m.enrolment_id, e.pupil_id, m.date, m.session, m.code FROM registers_mark m "
            "JOIN pupils_enrolment e ON e.id = m.enrolment_id "
            "WHERE m.date >= %s AND m.date <= %s",
            [start.isoformat(), as_of.isoformat()],
        )
        rows = cursor.fetchall()
    frame = pd.DataFrame(rows, columns=["enrolment", "pupil", "date", "session", "code"])
    del rows
    frame["code"] = frame["code"].astype("category")
    frame["date"] = pd.to_datetime(frame["date"])
    load_s = time.perf_counter() - t0
    print(f"  pandas: loaded {len(frame):,} marks in {load_s:.1f} s", flush=True)

    def compute() -> pd.DataFrame:
        all_codes = {**HISTORIC_CODES, **CODES}
        cats = frame["code"].cat.categories
        columns = {}
        for name in (Category.PRESENT, Category.AEA, Category.AUTHORISED, Category.UNAUTHORISED):
            lut = np.array([all_codes[c].category == name for c in cats], dtype=np.int8)
            columns[str(name)] = lut[frame["code"].cat.codes.to_numpy()]
        counts = pd.DataFrame(columns).groupby(frame["enrolment"].to_numpy()).sum()
        possible = counts.sum(axis=1)
        absent = counts["authorised"] + counts["unauthorised"]
        counts["possible"] = possible
        counts["pa"] = (absent * 10 >= possible) & (possible > 0)
        counts["sa"] = (absent * 2 >= possible) & (possible > 0)
        counts["attendance_rate"] = ((counts["present"] + counts["aea"]) * 100 / possible).round(2)
        return counts[possible > 0]

    t0 = time.perf_counter()
    for _ in range(3):
        per_pupil = compute()
    pupils_s = (time.perf_counter() - t0) / 3

    def penalty() -> pd.Series:
        marks = frame[frame["code"].isin(sorted(PENALTY_CODES))]
        week = marks["date"] - pd.to_timedelta(marks["date"].dt.dayofweek, unit="D")
        weekly = marks.groupby([marks["pupil"], week]).size().unstack(fill_value=0)
        # School weeks: weeks in which any mark exists (this LA's calendars are shared).
        all_weeks = frame["date"] - pd.to_timedelta(frame["date"].dt.dayofweek, unit="D")
        weeks = pd.Index(sorted(all_weeks.unique()))
        weekly = weekly.reindex(columns=weeks, fill_value=0)
        cumulative = weekly.to_numpy().cumsum(axis=1)
        shifted = np.zeros_like(cumulative)
        shifted[:, 10:] = cumulative[:, :-10]
        window = cumulative - shifted
        met = window >= 10
        first = np.where(met.any(axis=1), met.argmax(axis=1), -1)
        return pd.Series(first, index=weekly.index)[lambda s: s >= 0]

    t0 = time.perf_counter()
    for _ in range(3):
        met_weeks = penalty()
    penalty_s = (time.perf_counter() - t0) / 3
    print(
        f"  pandas: per-pupil figures {pupils_s:.2f} s, penalty weeks {penalty_s:.2f} s "
        f"({len(per_pupil):,} enrolments, {len(met_weeks):,} over the threshold)",
        flush=True,
    )
    attend_rows = results["report_pupils_rows"]
    agree_pupils = (
        len(attend_rows) == len(per_pupil)
        and sum(r["possible_sessions"] for r in attend_rows) == int(per_pupil["possible"].sum())
        and sum(r["persistent_absence"] for r in attend_rows) == int(per_pupil["pa"].sum())
    )
    agree_penalty = len(results["report_penalty_rows"]) == len(met_weeks)
    print(f"  agreement: pupils {agree_pupils}, penalty {agree_penalty}", flush=True)
    return {
        "pandas_load_s": load_s,
        "pandas_pupils_s": pupils_s,
        "pandas_penalty_s": penalty_s,
        "pandas_enrolments": len(per_pupil),
        "pandas_penalty_pupils": len(met_weeks),
        "agree_pupils": agree_pupils,
        "agree_penalty": agree_penalty,
    }


def page_rows(r: dict[str, Any]) -> list[tuple[str, str, str]]:
    if "page_dashboard_year_p95_ms" not in r:
        return []

    def result(key: str) -> str:
        return (
            f"{r[f'{key}_p50_ms']:.1f} / {r[f'{key}_p95_ms']:.1f} ms, "
            f"{r[f'{key}_queries']} queries ({r[f'{key}_runs']} requests)"
        )

    agree = r["pages_agree"]
    return [
        (
            f"School dashboard, year to date, a school of {r['page_school_enrolments']:,} "
            "enrolments (p50 / p95)",
            result("page_dashboard_year"),
            "p95 under 150 ms",
        ),
        (
            "baseline: the same page through the weekly summary",
            result("page_dashboard_weekly"),
            "",
        ),
        (
            f"LA overview, year to date, {r['page_schools']} schools (p50 / p95)",
            result("page_overview_year"),
            "p95 under 300 ms",
        ),
        ("baseline: the same page through the weekly summary", result("page_overview_weekly"), ""),
        (
            "Year-to-date pages agree with the weekly path",
            f"dashboard {agree[0]}, overview {agree[1]}"
            + ("" if r["pages_year_path"] else " (the year summaries were not used!)"),
            "",
        ),
        (
            "Year summaries rebuilt from the weekly summary",
            f"{r['rebuild_years_s']:.1f} s ({r['rebuild_years_rows']:,} rows)",
            "",
        ),
    ]


def report_results(args: argparse.Namespace, r: dict[str, Any]) -> None:
    backend = r["backend"]
    if args.reuse:
        r.setdefault("import_rate", 0.0)
        r.setdefault("generate_s", 0.0)
    rows = [
        ("Marks imported", f"{r.get('marks', 0):,}", ""),
        (
            "Marks import rate (summaries included)",
            f"{r.get('import_rate', 0):,.0f} marks/s",
            "at least 50,000 marks/s",
        ),
        (
            "Register save, 30 pupils (p50 / p95)",
            f"{r.get('register_p50_ms', 0):.1f} / {r.get('register_p95_ms', 0):.1f} ms "
            f"({r.get('register_saves', 0)} registers)",
            "p95 under 50 ms",
        ),
        (
            "`report pupils` LA-wide",
            f"{r['report_pupils_s']:.2f} s ({len(r['report_pupils_rows']):,} rows)",
            f"faster than pandas: {r['pandas_pupils_s']:.2f} s",
        ),
        ("`report schools` LA-wide", f"{r['report_schools_s']:.2f} s", ""),
        *page_rows(r),
        (
            "`report penalty-threshold` LA-wide",
            f"{r['report_penalty_s']:.2f} s ({len(r['report_penalty_rows']):,} pupils)",
            f"faster than pandas: {r['pandas_penalty_s']:.2f} s",
        ),
        ("pandas baseline: load the marks from the database", f"{r['pandas_load_s']:.1f} s", ""),
        ("pandas baseline: per-pupil figures (compute only)", f"{r['pandas_pupils_s']:.2f} s", ""),
        ("pandas baseline: penalty weeks (compute only)", f"{r['pandas_penalty_s']:.2f} s", ""),
        (
            "Baseline agrees with Attend",
            f"pupils {r['agree_pupils']}, penalty {r['agree_penalty']}",
            "",
        ),
    ]
    if backend != "sqlite":  # the issue sets its targets for SQLite
        rows = [(a, b, f"(SQLite: {c})" if c else "") for a, b, c in rows]
    title = "SQLite" if backend == "sqlite" else "PostgreSQL"
    if args.reuse:
        title += ": registers and reports measured again"
        rows = [row for row in rows if not row[0].startswith("Marks import")]
    lines = [
        f"## {title}",
        "",
        f"Measured {dt.datetime.now():%Y-%m-%d %H:%M} on {platform.node()} "
        f"({os.cpu_count()} cores, Python {platform.python_version()}): "
        + (
            "`.venv/bin/python scripts/bench.py --reuse --workdir ...` on the database the "
            f"run above left ({r['marks']:,} marks; no generation or import)."
            if args.reuse
            else f"`{'BENCH_DB=postgres ' if backend != 'sqlite' else ''}make bench` "
            f"({args.schools} schools x {args.pupils} pupils, marks up to {args.until}; "
            f"generation {r['generate_s']:.0f} s)."
        ),
        "",
        "| measure | result | target |",
        "|---|---|---|",
        *(f"| {a} | {b} | {c} |" for a, b, c in rows),
        "",
    ]
    section = "\n".join(lines)
    print("\n" + section)
    if args.no_write:
        return
    path = Path(args.output)
    text = path.read_text() if path.exists() else ""
    marker = f"## {title}"
    if marker in text:
        head, _, rest = text.partition(marker)
        tail = rest[rest.find("\n## ") + 1 :] if "\n## " in rest else ""
        text = head + section + ("\n" + tail if tail else "")
    else:
        text = text.rstrip() + "\n\n" + section if text else section
    path.write_text(text)
    print(f"Updated {path}")


if __name__ == "__main__":
    main()
