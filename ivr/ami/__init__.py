"""The operators' side of Asterisk over AMI: a bridge that keeps the queue state true.

Modules: ``transport`` (panoramisk with its faults taken out), ``bridge`` (the connection's
life and the console's actions), ``queue_state`` (a pure model fed with events), ``model``
(its records), ``figures`` (today's counters), ``settings``, ``errors`` (the one exception
tree, rooted at ``AmiError``).
"""
