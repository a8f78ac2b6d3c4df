/**
 * Look-alike ("homograph") addresses: `mаria@example.com` with a Cyrillic "а" reads as Latin but
 * is another address. The rule is UTS #39's "highly restrictive" level, applied to each part of
 * an address (the local part, then each label of the domain): the letters of one part come from
 * one script — Common (digits, punctuation) and Inherited (combining marks) go with any — or from
 * one of the combinations a language writes together: Latin with Han, Hiragana and Katakana
 * (Japanese), Latin with Han and Bopomofo (Chinese), Latin with Han and Hangul (Korean).
 */

/** Every Unicode script with letters, by its long name (Unicode 17); see SCRIPTS below. */
const SCRIPT_NAMES = [
  'Latin',
  'Cyrillic',
  'Greek',
  'Armenian',
  'Georgian',
  'Cherokee',
  'Arabic',
  'Hebrew',
  'Han',
  'Hiragana',
  'Katakana',
  'Bopomofo',
  'Hangul',
  'Thai',
  'Lao',
  'Devanagari',
  'Bengali',
  'Gurmukhi',
  'Gujarati',
  'Oriya',
  'Tamil',
  'Telugu',
  'Kannada',
  'Malayalam',
  'Sinhala',
  'Tibetan',
  'Myanmar',
  'Khmer',
  'Mongolian',
  'Ethiopic',
  'Syriac',
  'Thaana',
  'Nko',
  'Tifinagh',
  'Canadian_Aboriginal',
  'Yi',
  'Vai',
  'Coptic',
  'Glagolitic',
  'Runic',
  'Ogham',
  'Adlam',
  'Ahom',
  'Anatolian_Hieroglyphs',
  'Avestan',
  'Balinese',
  'Bamum',
  'Bassa_Vah',
  'Batak',
  'Beria_Erfe',
  'Bhaiksuki',
  'Brahmi',
  'Braille',
  'Buginese',
  'Buhid',
  'Carian',
  'Caucasian_Albanian',
  'Chakma',
  'Cham',
  'Chorasmian',
  'Cuneiform',
  'Cypriot',
  'Cypro_Minoan',
  'Deseret',
  'Dives_Akuru',
  'Dogra',
  'Duployan',
  'Egyptian_Hieroglyphs',
  'Elbasan',
  'Elymaic',
  'Garay',
  'Gothic',
  'Grantha',
  'Gunjala_Gondi',
  'Gurung_Khema',
  'Hanifi_Rohingya',
  'Hanunoo',
  'Hatran',
  'Imperial_Aramaic',
  'Inscriptional_Pahlavi',
  'Inscriptional_Parthian',
  'Javanese',
  'Kaithi',
  'Kawi',
  'Kayah_Li',
  'Kharoshthi',
  'Khitan_Small_Script',
  'Khojki',
  'Khudawadi',
  'Kirat_Rai',
  'Lepcha',
  'Limbu',
  'Linear_A',
  'Linear_B',
  'Lisu',
  'Lycian',
  'Lydian',
  'Mahajani',
  'Makasar',
  'Mandaic',
  'Manichaean',
  'Marchen',
  'Masaram_Gondi',
  'Medefaidrin',
  'Meetei_Mayek',
  'Mende_Kikakui',
  'Meroitic_Cursive',
  'Meroitic_Hieroglyphs',
  'Miao',
  'Modi',
  'Mro',
  'Multani',
  'Nabataean',
  'Nag_Mundari',
  'Nandinagari',
  'New_Tai_Lue',
  'Newa',
  'Nushu',
  'Nyiakeng_Puachue_Hmong',
  'Ol_Chiki',
  'Ol_Onal',
  'Old_Hungarian',
  'Old_Italic',
  'Old_North_Arabian',
  'Old_Permic',
  'Old_Persian',
  'Old_Sogdian',
  'Old_South_Arabian',
  'Old_Turkic',
  'Old_Uyghur',
  'Osage',
  'Osmanya',
  'Pahawh_Hmong',
  'Palmyrene',
  'Pau_Cin_Hau',
  'Phags_Pa',
  'Phoenician',
  'Psalter_Pahlavi',
  'Rejang',
  'Samaritan',
  'Saurashtra',
  'Sharada',
  'Shavian',
  'Siddham',
  'Sidetic',
  'SignWriting',
  'Sogdian',
  'Sora_Sompeng',
  'Soyombo',
  'Sundanese',
  'Sunuwar',
  'Syloti_Nagri',
  'Tagalog',
  'Tagbanwa',
  'Tai_Le',
  'Tai_Tham',
  'Tai_Viet',
  'Tai_Yo',
  'Takri',
  'Tangsa',
  'Tangut',
  'Tirhuta',
  'Todhri',
  'Tolong_Siki',
  'Toto',
  'Tulu_Tigalari',
  'Ugaritic',
  'Vithkuqi',
  'Wancho',
  'Warang_Citi',
  'Yezidi',
  'Zanabazar_Square',
];

/**
 * The scripts this JavaScript engine knows (a newer name than its Unicode version is left out;
 * its letters then count as "Unknown", a script of their own).
 */
const SCRIPTS: [string, RegExp][] = SCRIPT_NAMES.flatMap((name) => {
  try {
    return [[name, new RegExp(`^\\p{Script=${name}}$`, 'u')] as [string, RegExp]];
  } catch {
    return [];
  }
});

/** Go with any script: digits, punctuation, symbols, combining marks. */
const NEUTRAL = /^[\p{Script=Common}\p{Script=Inherited}]$/u;

/** Scripts a language writes together in one word (UTS #39, highly restrictive). */
const ALLOWED_TOGETHER = [
  new Set(['Latin', 'Han', 'Hiragana', 'Katakana']),
  new Set(['Latin', 'Han', 'Bopomofo']),
  new Set(['Latin', 'Han', 'Hangul']),
];

function scriptOf(character: string): string | undefined {
  if (NEUTRAL.test(character)) return undefined;
  return SCRIPTS.find(([, pattern]) => pattern.test(character))?.[0] ?? 'Unknown';
}

/** The scripts of one part, when they are mixed in a way no language writes; else undefined. */
function mixedIn(part: string): string[] | undefined {
  const scripts = new Set<string>();
  for (const character of part) {
    const script = scriptOf(character);
    if (script) scripts.add(script);
  }
  if (scripts.size <= 1) return undefined;
  if (ALLOWED_TOGETHER.some((set) => [...scripts].every((s) => set.has(s)))) return undefined;
  return [...scripts];
}

/**
 * The scripts mixed in the first part of `address` that mixes them (e.g. ["Latin",
 * "Cyrillic"]), or undefined when every part keeps to one script. Plain ASCII never mixes.
 */
export function mixedScripts(address: string): string[] | undefined {
  // eslint-disable-next-line no-control-regex -- the ASCII range, control characters included
  if (/^[\u0000-\u007f]*$/.test(address)) return undefined;
  const at = address.lastIndexOf('@');
  const parts = at < 0 ? [address] : [address.slice(0, at), ...address.slice(at + 1).split('.')];
  for (const part of parts) {
    const mixed = mixedIn(part);
    if (mixed) return mixed;
  }
  return undefined;
}
