"""Django's ``i18n`` template library, with fixed texts translated once per language.

``{% translate "Teacher" %}`` inside a table row would otherwise look the text up in the
catalogue on every row. The settings register this module under the label ``i18n``, so
``{% load i18n %}`` loads it; every other tag and filter is Django's own.
"""

from django import template
from django.templatetags import i18n as django_i18n
from django.templatetags.i18n import BlockTranslateNode, TranslateNode
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import get_language

register = template.Library()
register.tags.update(django_i18n.register.tags)
register.filters.update(django_i18n.register.filters)


def _is_constant(expression) -> bool:
    return expression is None or (not expression.filters and isinstance(expression.var, str))


class CachedTranslateNode(TranslateNode):
    """A translate tag; when its text and context are fixed, the result is kept per language."""

    def __init__(self, filter_expression, noop, asvar=None, message_context=None):
        super().__init__(filter_expression, noop, asvar, message_context)
        expression = self.filter_expression
        self.constant = (
            not expression.filters
            and getattr(expression.var, "literal", None) is not None
            and _is_constant(message_context)
        )
        self.by_language = {}

    def render(self, context):
        if not self.constant:
            return super().render(context)
        key = (get_language(), context.autoescape)
        try:
            value = self.by_language[key]
        except KeyError:
            value = self.by_language.setdefault(key, self._value(context))
        if self.asvar:
            context[self.asvar] = value
            return ""
        return value

    def _value(self, context):
        # TranslateNode.render without the assignment to a variable.
        self.filter_expression.var.translate = not self.noop
        if self.message_context:
            self.filter_expression.var.message_context = self.message_context.resolve(context)
        value = template.base.render_value_in_context(self.filter_expression.resolve(context), context)
        is_safe = isinstance(value, SafeData)
        value = value.replace("%%", "%")
        # Safe only if it was safe already (a literal in the template, or escaped above).
        return mark_safe(value) if is_safe else value  # noqa: S308


class CachedBlockTranslateNode(BlockTranslateNode):
    """A blocktranslate tag whose message ids are assembled once, not on every render."""

    def render_token_list(self, tokens):
        memo = self.__dict__.setdefault("token_lists", {})
        try:
            message, names = memo[id(tokens)]
        except KeyError:
            message, names = memo[id(tokens)] = super().render_token_list(tokens)
        return message, list(names)


@register.tag("translate")
@register.tag("trans")
def translate(parser, token):
    node = django_i18n.do_translate(parser, token)
    return CachedTranslateNode(node.filter_expression, node.noop, node.asvar, node.message_context)


@register.tag("blocktranslate")
@register.tag("blocktrans")
def blocktranslate(parser, token):
    node = django_i18n.do_block_translate(parser, token)
    return CachedBlockTranslateNode(
        node.extra_context,
        node.singular,
        node.plural,
        node.countervar,
        node.counter,
        node.message_context,
        node.trimmed,
        node.asvar,
        node.tag_name,
    )
