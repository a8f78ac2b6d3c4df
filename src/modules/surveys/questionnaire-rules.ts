import type { CreateQuestionnaireDto } from './dto/create-questionnaire.dto';

const TEXT_LIMIT = 500;

/** Checks what class-validator cannot: texts per locale, options per type. Returns problems. */
export function questionnaireProblems(dto: CreateQuestionnaireDto): string[] {
  const problems: string[] = [];
  const defaultLocale = dto.defaultLocale ?? 'en';
  const checkTexts = (where: string, texts: Record<string, unknown>) => {
    const entries = Object.entries(texts);
    if (entries.length === 0) problems.push(`${where} needs a text in at least one locale`);
    for (const [locale, value] of entries) {
      if (!/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/.test(locale))
        problems.push(`${where} has an invalid locale "${locale}"`);
      else if (typeof value !== 'string' || value.trim() === '')
        problems.push(`${where}.${locale} must be a non-empty string`);
      else if (value.length > TEXT_LIMIT)
        problems.push(`${where}.${locale} is longer than ${TEXT_LIMIT} characters`);
    }
    if (entries.length > 0 && !(defaultLocale in texts)) {
      problems.push(`${where} has no text in the default locale "${defaultLocale}"`);
    }
  };
  dto.questions.forEach((question, index) => {
    const where = `questions[${index}]`;
    checkTexts(`${where}.text`, question.text);
    const choice = question.type === 'single' || question.type === 'multi';
    if (choice) {
      if (!question.options || question.options.length < 2)
        problems.push(`${where} (${question.type}) needs at least 2 options`);
      const keys = new Set<string>();
      question.options?.forEach((option, o) => {
        if (keys.has(option.key))
          problems.push(`${where}.options[${o}] repeats key "${option.key}"`);
        keys.add(option.key);
        checkTexts(`${where}.options[${o}].label`, option.label);
      });
    } else if (question.options !== undefined) {
      problems.push(`${where} (${question.type}) cannot have options`);
    }
    if (question.maxLength !== undefined && question.type !== 'text') {
      problems.push(`${where} (${question.type}) cannot have maxLength; only text questions do`);
    }
  });
  return problems;
}
