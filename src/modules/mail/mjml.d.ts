/** mjml ships no types; compileMjmlTemplates (mjml-templates.ts) says what it uses. */
declare module 'mjml';
