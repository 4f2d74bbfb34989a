"""Appraisals over the REST API: people, cycles, appraisals and what hangs
off them, and the read-only team insight. Each module mirrors a group of
pages (appraisals/views/) and calls the same services (workflow, plans,
probation, people, cycles, insight) and querysets (`visible_to`), so a rule
lives in one place for both. Viewsets are registered in competency/api/urls.py.
"""
