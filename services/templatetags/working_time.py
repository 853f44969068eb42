"""{{ item.resolution_hours|working_time }}: "5 个工作日" or "4 个工作小时", the one way a time limit is shown."""

from django import template

from services.tickets.calendar import working_time_label

register = template.Library()
register.filter("working_time", working_time_label)
