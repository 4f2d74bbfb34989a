"""Appraisals over the REST API: people, cycles, appraisals and what hangs
off them, and the read-only team insight. Each viewset module mirrors a
group of pages (appraisals/views/) and calls the same services (workflow,
plans, probation, people, cycles, insight), querysets (`visible_to`) and
list filters (appraisals/filters.py), so a rule lives in one place for both.

- Viewsets: people.py, cycles.py, appraisals.py, plans.py, check_ins.py,
  probation.py, insight.py; the project's URL wiring registers them.
- Bodies: appraisal_serializers.py and person_serializers.py describe them
  (the schema's component names are their class names); people_import.py
  reads and answers the people import; bodies.py, etags.py and
  person_scoped.py are what several viewsets share.
"""
