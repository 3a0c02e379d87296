"""Applicants' questions: open jobs, one job's details, and the status of an application."""
from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.common import PENDING, BotAction, entity, language, message_text
from bot.catalog import format, queries
from bot.db.models import Job

MAX_VERIFICATION_FAILURES = 3


def _job_line(db: Session, job: Job, lang: str) -> str:
    title = job.title_en if lang == "en" else job.title
    types = format.join_words((queries.term_name(db, "job_type", t, lang) for t in job.types), lang)
    return f"{job.ref} {title} – {format.join_words(job.locations, lang)}, {types}"


class ActionSearchJobs(BotAction):
    """Open jobs, filtered by the city, job type or department the applicant names."""

    def name(self) -> str:
        return "action_search_jobs"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, db: Session) -> List[Dict[str, Any]]:
        lang = language(tracker)
        query = queries.parse_job_query(db, message_text(tracker))
        jobs = queries.search_jobs(db, query)
        if jobs:
            dispatcher.utter_message(response="utter_jobs_found", count=len(jobs),
                                     items=format.bullet_list(_job_line(db, j, lang) for j in jobs))
        else:
            everything = queries.search_jobs(db, queries.JobQuery())
            dispatcher.utter_message(response="utter_jobs_none",
                                     items=format.bullet_list(_job_line(db, j, lang) for j in everything))
        dispatcher.utter_message(response="utter_jobs_follow_up")
        return [SlotSet("job_ref", jobs[0].ref)] if len(jobs) == 1 else []


class ActionJobDetails(BotAction):
    """Everything about one job, named by reference or title."""

    def name(self) -> str:
        return "action_job_details"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, db: Session) -> List[Dict[str, Any]]:
        lang = language(tracker)
        jobs = queries.find_jobs(db, message_text(tracker) or entity(tracker, "job_ref") or "")
        if not jobs and tracker.get_slot("job_ref"):
            jobs = [j for j in [db.get(Job, tracker.get_slot("job_ref"))] if j]
        if len(jobs) != 1:
            candidates = jobs or queries.search_jobs(db, queries.JobQuery())
            buttons = [{"title": j.title_en if lang == "en" else j.title,
                        "payload": f'/job_details{{"job_ref":"{j.ref}"}}'} for j in candidates]
            dispatcher.utter_message(response="utter_which_job", buttons=buttons)
            return []
        job = jobs[0]
        starts = format.day(job.starts, lang) if job.starts else ""
        dispatcher.utter_message(response="utter_job_details", line=_job_line(db, job, lang),
                                 summary=getattr(job, f"summary_{lang}"), starts=starts)
        dispatcher.utter_message(response="utter_jobs_follow_up")
        return [SlotSet("job_ref", job.ref)]


def answer_application(dispatcher: CollectingDispatcher, tracker: Tracker, db: Session) -> List[Dict[str, Any]]:
    """Status only for reference plus matching e-mail; a mismatch says nothing about whether the reference exists."""
    text = message_text(tracker)
    failures = int(tracker.get_slot("verification_failures") or 0)
    if failures >= MAX_VERIFICATION_FAILURES:
        dispatcher.utter_message(response="utter_application_locked", email=queries.company(db).jobs_email)
        return []
    ref = queries.parse_application_ref(entity(tracker, "application_ref") or text) or tracker.get_slot("application_ref")
    email = queries.parse_email(entity(tracker, "email") or text)
    if not ref:
        dispatcher.utter_message(response="utter_ask_application_ref")
        return [SlotSet(PENDING, "application_ref")]
    if not email:
        dispatcher.utter_message(response="utter_ask_application_email")
        return [SlotSet("application_ref", ref), SlotSet(PENDING, "application_email")]
    application = queries.application_status(db, ref, email)
    if application is None:
        dispatcher.utter_message(response="utter_application_not_verified")
        return [SlotSet("application_ref", None), SlotSet("verification_failures", failures + 1)]
    lang = language(tracker)
    job = db.get(Job, application.job_ref)
    dispatcher.utter_message(
        response=f"utter_application_{application.stage}",
        ref=application.ref,
        job=(job.title_en if lang == "en" else job.title) if job else application.job_ref,
        updated=format.day(application.updated_on, lang),
        interview=format.day(application.interview_on, lang) if application.interview_on else "–",
    )
    return [SlotSet("application_ref", None), SlotSet("verification_failures", 0)]


class ActionApplicationStatus(BotAction):
    """Where an application stands, after reference and e-mail address are both given."""

    def name(self) -> str:
        return "action_application_status"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, db: Session) -> List[Dict[str, Any]]:
        return answer_application(dispatcher, tracker, db)
