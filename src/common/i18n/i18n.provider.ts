export const I18N = Symbol('I18N');
