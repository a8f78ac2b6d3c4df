export const HANDLEBARS = Symbol('HANDLEBARS');
