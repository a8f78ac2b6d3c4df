import type { I18n } from '../../common/i18n/i18n.service';
import type { LocalizedText } from '../surveys/entities/question.entity';
import type { Questionnaire } from '../surveys/entities/questionnaire.entity';
import { SCORE_RANGES } from '../surveys/question-types';
import { FIELD_PREFIX, type FieldError } from './answer-validation';

function pick(text: LocalizedText, locale: string, fallback: string): string {
  return text[locale] ?? text[fallback] ?? Object.values(text)[0] ?? '';
}

/** What pages/survey/form.hbs needs to draw each question, with values and errors kept. */
export function surveyFormQuestions(
  questionnaire: Questionnaire,
  locale: string,
  i18n: I18n,
  state: {
    values?: Map<string, string[]>;
    errors?: Map<string, FieldError>;
    preselectScore?: number;
    /** Fills `{team}` in question texts (the ticket survey asks about "{team}"). */
    teamName?: string;
  } = {},
) {
  let preselectUsed = false;
  return (questionnaire.questions ?? []).map((question, index) => {
    let values = state.values?.get(question.id) ?? [];
    if (
      question.type === 'nps' &&
      !preselectUsed &&
      state.preselectScore !== undefined &&
      values.length === 0
    ) {
      values = [String(state.preselectScore)];
      preselectUsed = true;
    }
    const range = SCORE_RANGES[question.type];
    const error = state.errors?.get(question.id);
    return {
      id: question.id,
      number: index + 1,
      name: FIELD_PREFIX + question.id,
      type: question.type,
      required: question.required,
      text: pick(question.text, locale, questionnaire.defaultLocale).replaceAll(
        '{team}',
        state.teamName ?? '',
      ),
      isScale: range !== undefined,
      isNps: question.type === 'nps',
      scale: range
        ? Array.from({ length: range.max - range.min + 1 }, (_, i) => {
            const value = String(range.min + i);
            return { value, checked: values.includes(value) };
          })
        : [],
      lowLabel: range ? i18n.t(locale, `survey.scale.${question.type}_low`) : undefined,
      highLabel: range ? i18n.t(locale, `survey.scale.${question.type}_high`) : undefined,
      isSingle: question.type === 'single',
      isMulti: question.type === 'multi',
      options: (question.options ?? []).map((option) => ({
        key: option.key,
        label: pick(option.label, locale, questionnaire.defaultLocale),
        checked: values.includes(option.key),
      })),
      isText: question.type === 'text',
      value: question.type === 'text' ? (values[0] ?? '') : undefined,
      maxLength: question.maxLength ?? undefined,
      error: error ? i18n.t(locale, error.key, error.vars) : undefined,
    };
  });
}
