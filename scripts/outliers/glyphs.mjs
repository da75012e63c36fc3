// Letters and symbols for the non-digit sets: which characters, which fonts, and which of them
// are kept apart for evaluation. All fonts come from Debian packages (scripts/outlier-data.mjs
// names them in its apt-get line); nothing is downloaded otherwise.
//
// The rule for what counts as a non-digit (docs/not-a-digit.md): a drawing that a person could
// fairly read as a digit is not one we demand rejected. So the letters and symbols that
// handwriting confuses with digits (O o Q D ° Ø θ as 0; I l i j J | / \ ( ) [ ] ! as 1; Z z as 2;
// S s as 5; b G as 6; B ß as 8; g q as 9; . , as a speck) are left out of both the evaluation
// and the training outliers; they are rendered separately as a "digit-like" set, reported but
// not scored.

export const LETTERS = 'ACEFHKLMNPRTUVWXYacdefhkmnprtuvwxy'.split('');
export const SYMBOLS = [...'+-=×÷%#@&?*~^<>{}$€£¥§¶©®™→←↑↓★☆♥♦♣♠✓✗☺♪♫ΩπΣµλΔ'];
export const DIGIT_LIKE = [...'OoQDIlijJ|/\\()[]ZzSsbGBßgq°Øθ!'];

// Fonts used to make TRAINING outliers (glyph images for `digits train --outliers`).
export const TRAIN_FONTS = [
  { family: 'Breip', file: '/usr/share/fonts/truetype/breip/Breip.ttf', pkg: 'fonts-breip' },
  { family: 'Comic Neue', file: '/usr/share/fonts/opentype/comic-neue/ComicNeue-Regular.otf', pkg: 'fonts-comic-neue' },
  { family: 'Comic Neue Bold', file: '/usr/share/fonts/opentype/comic-neue/ComicNeue-Bold.otf', pkg: 'fonts-comic-neue' },
  { family: 'Ecolier', file: '/usr/share/fonts/truetype/ecolier-court/Ecolier-court.ttf', pkg: 'fonts-ecolier-court' },
  { family: 'Isabella', file: '/usr/share/fonts/truetype/isabella/Isabella.ttf', pkg: 'fonts-isabella' },
  { family: 'DejaVu Sans', file: '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', pkg: 'fonts-dejavu-core' },
  { family: 'DejaVu Serif', file: '/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf', pkg: 'fonts-dejavu-core' },
  { family: 'DejaVu Sans Bold', file: '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf', pkg: 'fonts-dejavu-core' },
  { family: 'FreeSans', file: '/usr/share/fonts/truetype/freefont/FreeSans.ttf', pkg: 'fonts-freefont-ttf' },
  { family: 'FreeSerif Italic', file: '/usr/share/fonts/truetype/freefont/FreeSerifItalic.ttf', pkg: 'fonts-freefont-ttf' },
  { family: 'FreeMono', file: '/usr/share/fonts/truetype/freefont/FreeMono.ttf', pkg: 'fonts-freefont-ttf' },
  { family: 'Lato', file: '/usr/share/fonts/truetype/lato/Lato-Regular.ttf', pkg: 'fonts-lato' },
  { family: 'Lato Bold Italic', file: '/usr/share/fonts/truetype/lato/Lato-BoldItalic.ttf', pkg: 'fonts-lato' },
  { family: 'Go', file: '/usr/share/fonts/fonts-go/Go-Regular.ttf', pkg: 'fonts-go' },
];

// More training fonts (data/outliers/glyphs-more.csv): handwriting, display, blackletter, serif and
// sans designs, none a clone of an evaluation font's (so not TeX Gyre Chorus, Schola, Termes, Heros
// or Adventor, which copy Z003, C059, Liberation Serif, Liberation Sans and URW Gothic's designs).
const T = '/usr/share/fonts/truetype', O = '/usr/share/fonts/opentype', G = '/usr/share/texmf/fonts/opentype/public/tex-gyre';
export const MORE_TRAIN_FONTS = [
  ['Tomson Talks', `${T}/tomsontalks/TomsonTalks.ttf`, 'fonts-tomsontalks'],
  ['Ecolier Lignes', `${T}/ecolier-lignes-court/Ecolier-lignes-court.ttf`, 'fonts-ecolier-lignes-court'],
  ['Yanone Kaffeesatz', `${O}/yanone-kaffeesatz/YanoneKaffeesatz-Regular.otf`, 'fonts-yanone-kaffeesatz'],
  ['Klaudia', `${T}/klaudia-berenika/Klaudia.ttf`, 'fonts-klaudia-berenika'],
  ['Berenika', `${T}/klaudia-berenika/Berenika.ttf`, 'fonts-klaudia-berenika'],
  ['Beteckna', `${T}/beteckna/Beteckna.ttf`, 'fonts-beteckna'],
  ['Blankenburg', `${T}/blankenburg/Blankenburg_UNZ1A.ttf`, 'fonts-blankenburg'],
  ['Jura', `${O}/jura/Jura-Regular.otf`, 'fonts-jura'],
  ['Linux Libertine', `${O}/linux-libertine/LinLibertine_R.otf`, 'fonts-linuxlibertine'],
  ['Linux Biolinum', `${O}/linux-libertine/LinBiolinum_R.otf`, 'fonts-linuxlibertine'],
  ['Junicode', `${O}/junicode/JunicodeTwoBeta-Regular.otf`, 'fonts-junicode'],
  ['Carlito', `${T}/crosextra/Carlito-Regular.ttf`, 'fonts-crosextra-carlito'],
  ['Caladea', `${T}/crosextra/Caladea-Regular.ttf`, 'fonts-crosextra-caladea'],
  ['Cantarell', `${O}/cantarell/Cantarell-Regular.otf`, 'fonts-cantarell'],
  ['Gentium', `${T}/gentium/Gentium-R.ttf`, 'fonts-sil-gentium'],
  ['Gentium Italic', `${T}/gentium/Gentium-I.ttf`, 'fonts-sil-gentium'],
  ['Old Standard', `${T}/fonts-oldstandard/OldStandard-Regular.ttf`, 'fonts-oldstandard'],
  ['Goudy Bookletter', `${O}/sortsmill/GoudyBookletter1911.otf`, 'fonts-goudybookletter'],
  ['Fanwood', `${T}/fanwood/Fanwood.otf`, 'fonts-fanwood'],
  ['Accanthis', `${T}/adf/AccanthisADFStd-Regular.otf`, 'fonts-adf-accanthis'],
  ['F500', `${T}/f500/f500.ttf`, 'fonts-f500'],
  ['Stay Puft', `${T}/staypuft/StayPuft.ttf`, 'fonts-staypuft'],
  ['TeX Gyre Bonum', `${G}/texgyrebonum-regular.otf`, 'fonts-texgyre'],
  ['TeX Gyre Cursor', `${G}/texgyrecursor-regular.otf`, 'fonts-texgyre'],
  ['TeX Gyre Pagella', `${G}/texgyrepagella-regular.otf`, 'fonts-texgyre'],
].map(([family, file, pkg]) => ({ family, file, pkg }));

// Fonts kept for EVALUATION only: no training ever sees a glyph of theirs. (fonts-bwht's
// handwriting fonts would belong here, but Chromium's font sanitiser rejects every one of them.)
export const EVAL_FONTS = [
  { family: 'dkg', file: '/usr/share/fonts/truetype/fifthhorseman/dkg.ttf', pkg: 'fonts-dkg-handwriting' },
  { family: 'dkg Italic', file: '/usr/share/fonts/truetype/fifthhorseman/dkgIt.ttf', pkg: 'fonts-dkg-handwriting' },
  { family: 'Femke Klaver', file: '/usr/share/fonts/truetype/femkeklaver/femkeklaver.ttf', pkg: 'fonts-femkeklaver' },
  { family: 'Humor Sans', file: '/usr/share/fonts/truetype/humor-sans/Humor-Sans.ttf', pkg: 'fonts-humor-sans' },
  { family: 'Dancing Script', file: '/usr/share/fonts/opentype/dancingscript/DancingScript-Regular.otf', pkg: 'fonts-dancingscript' },
  { family: 'Liberation Sans', file: '/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf', pkg: 'fonts-liberation2' },
  { family: 'Liberation Serif', file: '/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf', pkg: 'fonts-liberation2' },
  { family: 'Liberation Serif Italic', file: '/usr/share/fonts/truetype/liberation2/LiberationSerif-Italic.ttf', pkg: 'fonts-liberation2' },
  { family: 'C059', file: '/usr/share/fonts/opentype/urw-base35/C059-Roman.otf', pkg: 'fonts-urw-base35' },
  { family: 'Z003', file: '/usr/share/fonts/opentype/urw-base35/Z003-MediumItalic.otf', pkg: 'fonts-urw-base35' },
  { family: 'URW Gothic', file: '/usr/share/fonts/opentype/urw-base35/URWGothic-Book.otf', pkg: 'fonts-urw-base35' },
  { family: 'Open Sans', file: '/usr/share/fonts/truetype/open-sans/OpenSans-Regular.ttf', pkg: 'fonts-open-sans' },
  { family: 'Andika', file: '/usr/share/fonts/truetype/andika/Andika-Regular.ttf', pkg: 'fonts-sil-andika' },
  { family: 'Quicksand', file: '/usr/share/fonts/truetype/quicksand/Quicksand-Regular.ttf', pkg: 'fonts-quicksand' },
  { family: 'Comfortaa', file: '/usr/share/fonts/truetype/comfortaa/Comfortaa-Regular.ttf', pkg: 'fonts-comfortaa' },
];

// Fonts of the wider training set alone (data/outliers/glyphs-wide.csv, an experiment of
// docs/not-a-digit.md, made only with --wide): handwriting, script, Garamond, Computer Modern and
// a symbol font, none a clone of an evaluation font's design.
export const WIDE_FONTS = [
  ['Kristi', `${T}/kristi/Kristi.ttf`, 'fonts-kristi'],
  ['Lobster Two', `${O}/lobstertwo/LobsterTwo-Regular.otf`, 'fonts-lobstertwo'],
  ['Fantasque Sans Mono', `${T}/fantasque-sans/Normal/TTF/FantasqueSansMono-Regular.ttf`, 'fonts-fantasque-sans'],
  ['EB Garamond', `${O}/ebgaramond/EBGaramond12-Regular.otf`, 'fonts-ebgaramond'],
  ['Charis SIL', `${T}/charis/CharisSIL-Regular.ttf`, 'fonts-sil-charis'],
  ['Charis SIL Italic', `${T}/charis/CharisSIL-Italic.ttf`, 'fonts-sil-charis'],
  ['CMU Serif', `${T}/cmu/cmunrm.ttf`, 'fonts-cmu'],
  ['CMU Sans Serif', `${T}/cmu/cmunss.ttf`, 'fonts-cmu'],
  ['Symbola', `${T}/ancient-scripts/Symbola_hint.ttf`, 'fonts-symbola'],
].map(([family, file, pkg]) => ({ family, file, pkg }));

const range = (from, to) => Array.from({ length: to - from + 1 }, (_, i) => String.fromCodePoint(from + i));

// Wider Unicode ranges, so the training outliers are diverse rather than a copy of the evaluation's
// characters: arrows, mathematical operators and symbols, technical and geometric shapes,
// miscellaneous symbols and dingbats, brackets, punctuation, currency, letterlike symbols, Latin
// extras, Greek, Cyrillic and Hebrew. Left out, by the rule above: numbers of every kind (\p{N}:
// superscripts, circled and other-script digits, roman numerals, fractions), marks, blanks and
// controls, and what handwriting reads as a digit or a digit-like character: circles and rings (0),
// bars, harpoons and primes (1), parentheses and square brackets, dots and quote marks (specks),
// the infinity sign (8), and letters shaped like 0, 1, 2, 3, 4, 5, 6, 8 or 9 (omicron, iota,
// zeta, delta, sigma, xi, epsilon, ze, che, be, soft sign, samekh, vav, ...).
const WIDE_RANGES = [
  [0x21, 0x7e], [0xa1, 0xff], [0x100, 0x17f], [0x391, 0x3c9], [0x410, 0x44f], [0x5d0, 0x5ea],
  [0x2010, 0x205e], [0x20a0, 0x20bf], [0x2100, 0x214f], [0x2190, 0x21ff], [0x2200, 0x22ff],
  [0x2300, 0x23ff], [0x25a0, 0x25ff], [0x2600, 0x26ff], [0x2700, 0x27bf], [0x27c0, 0x27ff],
  [0x2900, 0x297f], [0x2980, 0x29ff], [0x2b00, 0x2b2f],
];
const WIDE_EXCLUDED = new Set([
  // ASCII and Latin-1 specks, bars, quotes and digit shapes
  ...'"\'`.,:;_¡¦¨ª¬¯´·¸º¿', ...'ÐðþłŁŀĿıĳĲǀſ', ...'ÒÓÔÕÖòóôõöŌōŎŏŐőÌÍÎÏìíîïĨĩĪīĬĭĮįİ',
  ...'ŚśŜŝŞşŠšŹźŻżŽžĜĝĞğĠġĢģĶķĹĺĻļĽľŔŕŖŗŘř', ...'ÈÉÊËèéêëĒēĔĕĖėĘęĚě', ...'ÞŊŋǪǫ',
  // Greek and Cyrillic letters shaped like digits or digit-like letters
  ...'ΒβΔδΕεΖζΘθΙιΟοΣσςΞξϑ', ...'ΡρΥυ', ...'БбВвЗзЁёЕеИиЙйЛлОоЅѕІіЈјЧчЬьЪъЫыЭэЮюЯяДдЦцЩщ', ...'ВГг',
  // Hebrew letters shaped like 0, 1, 6, 7 or 9, or a speck
  ...'וזטיסןךםנג',
  // punctuation: dashes and rules are kept; quotes, primes, dots, bars and brackets are not
  ...'‖‗‘’‚‛“”„‟•‣․‥…‧′″‴‵‶‷‸‹›‼‾‿⁀⁁⁃⁄⁅⁆⁈⁉⁌⁍⁏⁐⁑⁒⁓⁔⁕⁖⁗⁘⁙⁚⁛⁜⁝⁞',
  // letterlike symbols read as digits or digit-like letters
  ...'ℂℊℌℍℎℏℐℑℒℓℕℙℚℛℜℝℤ℥ℨℬℭℯℰℱℳℴℹ℺ℼℽℾℿⅅⅆⅇⅈⅉ⅌',
  // arrows that are bars with a barb (1s) and arcs that are 0s
  ...'↾↿⇂⇃↺↻⟲⟳⥌⥍⥏⥑⥔⥕⥘⥙⥜⥝⥠⥡⥮⥯',
  // operators: bars, rings, dots, circles, the infinity sign, the partial and integral signs
  ...'∂∅∘∙∣∤∥∦∞∮∯∰∱∲∳∴∵∶∷∸∹∼∽∾≀⊖⊘⊙⊚⊛⊜⊝⋄⋅⋮⋯⋰⋱⊶⊷⊸⌀⌽⌾⍜⍟⍥⍤⍉⍬⍭⍳⍴⍵⍸⍹⍺⍘⍛⍞⎸⎹⎾⎿⏐⏦',
  ...'⌈⌉⌊⌋⌜⌝⌞⌟⌠⌡⌢⌣⎛⎜⎝⎞⎟⎠⎡⎢⎣⎤⎥⎦⎧⎨⎩⎪⎫⎬⎭⎮⎯⎰⎱⎲⎳⎴⎵⎶⏜⏝⏞⏟⏠⏡',
  // geometric shapes: circles, vertical rectangles, arcs and specks
  ...'▮▯▌▐○◌◍◎●◐◑◒◓◔◕◖◗◘◙◚◛◜◝◞◟◠◡◦◯◴◵◶◷▪▫▴▵▸▹▾▿◂◃',
  // misc symbols and dingbats: circles, bars, ornamental brackets, quotes and exclamation marks
  ...'☉☼☽☾⚪⚫⚬⚭⚮⚯♀⚲⚆⚇⚈⚉⛀⛁⛂⛃⛔⭕⚽⚾⛒⛣☮☯☥☿♁♃♋♭♾⚢⚥⚳⚸⏸⏺⏻⏼⏽⏨⍿⌿⍀⍷⍮⎷',
  ...'⦀⦁⦂⦓⦔⦕⦖⦙⦚⦰⦱⦲⦳⦴⦵⦺⦻⦼⦽⧜⧝⧞⧬⧭⧲⧳⧵⧶⧷⧸⧹⬤⬬⬭⬮⬯⬝⬞⬩⬪⬫◉❍⥀⥁⥈⟊⟋⟍⟌∋∌∍⋺⋻⋼⋽⋾∖∕',
  ...'ΓΪίΰέøĴĵרדℇ℈℘ℸ⅁⅂⅃⁊₫₲₰', ...'❘❙❚❛❜❝❞❟❠❗❕❢❣❨❩❪❫❲❳⟅⟆⟦⟧⟮⟯⦅⦆⦇⦈⦋⦌⦍⦎⦏⦐⦗⦘⧘⧙⧚⧛⦶⦷⦸⦹⦾⦿⧀⧁⧂⧃',
]);
export const WIDE_CHARS = [...new Set(WIDE_RANGES.flatMap(([a, b]) => range(a, b)))]
  .filter((c) => /^[\p{L}\p{P}\p{S}]$/u.test(c) && !/\p{N}/u.test(c) && !WIDE_EXCLUDED.has(c)
    && !LETTERS.includes(c) && !SYMBOLS.includes(c) && !DIGIT_LIKE.includes(c));
export const FONT_PACKAGES = [...new Set([...TRAIN_FONTS, ...MORE_TRAIN_FONTS, ...EVAL_FONTS].map((f) => f.pkg))];
export const WIDE_FONT_PACKAGES = [...new Set(WIDE_FONTS.map((f) => f.pkg))];
