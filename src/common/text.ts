// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/** Whether a one-line text (a name, a label) holds control characters, line breaks included. */
export function hasControlCharacters(value: string): boolean {
  return CONTROL_CHARACTERS.test(value);
}

// The bidi embedding, override and isolate controls (U+202A–202E, U+2066–2069) can make a text
// read differently from what it holds ("Floor ‮2 ksed" shown as "Floor desk 2"). The plain
// marks U+200E and U+200F are allowed: Persian text needs them next to Latin words and digits.
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/;

/** Whether a text holds bidi embedding, override or isolate controls (the marks LRM/RLM pass). */
export function hasBidiControls(value: string): boolean {
  return BIDI_CONTROLS.test(value);
}
