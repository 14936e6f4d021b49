from django import template

from trellis.audit.labels import action_label

register = template.Library()


@register.filter(name="audit_action")
def audit_action(action: str) -> str:
    return action_label(action)
