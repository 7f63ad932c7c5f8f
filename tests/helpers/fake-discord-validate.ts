import { DISCORD_LIMITS } from '../../src/render/limits.ts';
import type { RecordedFile } from './fake-discord-state.ts';

/** A refusal as Discord words it: HTTP status plus JSON error body. */
export interface FakeRefusal {
  status: number;
  body: { code: number; message: string; errors?: Record<string, unknown> };
}

/** Collects field errors into Discord's nested `errors` shape (`{ embeds: { 0: { title: { _errors } } } }`). */
class FormErrors {
  readonly tree: Record<string, unknown> = {};
  count = 0;

  add(path: (string | number)[], code: string, message: string): void {
    let node = this.tree;
    for (const key of path) {
      const k = String(key);
      node[k] ??= {};
      node = node[k] as Record<string, unknown>;
    }
    const list = (node['_errors'] ??= []) as { code: string; message: string }[];
    list.push({ code, message });
    this.count += 1;
  }

  maxLength(path: (string | number)[], value: unknown, max: number): void {
    if (typeof value === 'string' && value.length > max) {
      this.add(path, 'BASE_TYPE_MAX_LENGTH', `Must be ${max} or fewer in length.`);
    }
  }

  refusal(): FakeRefusal | null {
    if (this.count === 0) return null;
    return { status: 400, body: { code: 50035, message: 'Invalid Form Body', errors: this.tree } };
  }
}

const L = DISCORD_LIMITS;

/** Characters an embed counts towards the 6,000 total (Discord "Embed Limits"). */
function embedChars(embed: Record<string, unknown>): number {
  const len = (v: unknown): number => (typeof v === 'string' ? v.length : 0);
  const fields = Array.isArray(embed['fields']) ? (embed['fields'] as Record<string, unknown>[]) : [];
  const footer = (embed['footer'] ?? {}) as Record<string, unknown>;
  const author = (embed['author'] ?? {}) as Record<string, unknown>;
  return (
    len(embed['title']) +
    len(embed['description']) +
    len(footer['text']) +
    len(author['name']) +
    fields.reduce((sum, f) => sum + len(f['name']) + len(f['value']), 0)
  );
}

/** `attachment://name` references in an embed's image and thumbnail. */
function attachmentRefs(embed: Record<string, unknown>): { key: string; name: string }[] {
  const refs: { key: string; name: string }[] = [];
  for (const key of ['image', 'thumbnail']) {
    const url = (embed[key] as { url?: unknown } | undefined)?.url;
    if (typeof url === 'string' && url.startsWith('attachment://')) refs.push({ key, name: url.slice('attachment://'.length) });
  }
  return refs;
}

/**
 * Checks a message body and its uploads against every Discord limit in PLATFORMS.md. Returns the
 * refusal Discord would send, or null when the message is valid. `requireContent` is false for
 * edits, which may carry nothing new.
 */
export function validateMessage(body: Record<string, unknown>, files: RecordedFile[], requireContent = true): FakeRefusal | null {
  const tooLarge = files.find((f) => f.bytes > L.attachmentBytes);
  if (tooLarge) return { status: 413, body: { code: 40005, message: 'Request entity too large' } };

  const errors = new FormErrors();
  const v2 = typeof body['flags'] === 'number' && (body['flags'] & IS_COMPONENTS_V2) !== 0;
  if (v2) refuseLegacyFields(body, errors);
  errors.maxLength(['content'], body['content'], L.contentChars);
  if (body['content'] !== undefined && typeof body['content'] !== 'string') {
    errors.add(['content'], 'BASE_TYPE_STRING', 'Must be a string.');
  }

  const embeds = body['embeds'] === undefined ? [] : body['embeds'];
  if (!Array.isArray(embeds)) {
    errors.add(['embeds'], 'BASE_TYPE_ARRAY', 'Must be an array.');
  } else {
    if (embeds.length > L.embedsPerMessage) {
      errors.add(['embeds'], 'BASE_TYPE_MAX_LENGTH', `Must be ${L.embedsPerMessage} or fewer in length.`);
    }
    let total = 0;
    embeds.forEach((raw: unknown, i: number) => {
      const embed = (raw ?? {}) as Record<string, unknown>;
      errors.maxLength(['embeds', i, 'title'], embed['title'], L.embedTitleChars);
      errors.maxLength(['embeds', i, 'description'], embed['description'], L.embedDescriptionChars);
      const footer = (embed['footer'] ?? {}) as Record<string, unknown>;
      errors.maxLength(['embeds', i, 'footer', 'text'], footer['text'], L.embedFooterChars);
      const author = (embed['author'] ?? {}) as Record<string, unknown>;
      errors.maxLength(['embeds', i, 'author', 'name'], author['name'], L.embedAuthorNameChars);
      const fields = Array.isArray(embed['fields']) ? (embed['fields'] as Record<string, unknown>[]) : [];
      if (fields.length > L.embedFields) {
        errors.add(['embeds', i, 'fields'], 'BASE_TYPE_MAX_LENGTH', `Must be ${L.embedFields} or fewer in length.`);
      }
      fields.forEach((f, j) => {
        if (typeof f['name'] !== 'string' || f['name'].length === 0) errors.add(['embeds', i, 'fields', j, 'name'], 'BASE_TYPE_REQUIRED', 'This field is required');
        if (typeof f['value'] !== 'string' || f['value'].length === 0) errors.add(['embeds', i, 'fields', j, 'value'], 'BASE_TYPE_REQUIRED', 'This field is required');
        errors.maxLength(['embeds', i, 'fields', j, 'name'], f['name'], L.embedFieldNameChars);
        errors.maxLength(['embeds', i, 'fields', j, 'value'], f['value'], L.embedFieldValueChars);
      });
      for (const ref of attachmentRefs(embed)) {
        if (!files.some((f) => f.name === ref.name)) {
          errors.add(['embeds', i, ref.key, 'url'], 'ATTACHMENT_NOT_FOUND', `No uploaded file named "${ref.name}".`);
        }
      }
      total += embedChars(embed);
    });
    if (total > L.embedTotalChars) {
      errors.add(['embeds'], 'MAX_EMBED_SIZE_EXCEEDED', `Embed size exceeds maximum size of ${L.embedTotalChars}`);
    }
  }

  if (v2) validateComponentsV2(body['components'], files, errors);
  else validateComponents(body['components'], errors);

  if (files.length > L.attachmentsPerMessage) {
    errors.add(['files'], 'BASE_TYPE_MAX_LENGTH', `Must be ${L.attachmentsPerMessage} or fewer in length.`);
  }
  const nonce = body['nonce'];
  if (nonce !== undefined && !(typeof nonce === 'number' || (typeof nonce === 'string' && nonce.length <= 25))) {
    errors.add(['nonce'], 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
  }
  const invalid = errors.refusal();
  if (invalid) return invalid;

  const hasContent = typeof body['content'] === 'string' && body['content'].length > 0;
  const hasComponents = v2 && Array.isArray(body['components']) && body['components'].length > 0;
  if (requireContent && !hasContent && !hasComponents && (embeds as unknown[]).length === 0 && files.length === 0) {
    return { status: 400, body: { code: 50006, message: 'Cannot send an empty message' } };
  }
  return null;
}

/**
 * Message components as Discord checks them: at most 5 action rows (type 1) of at most 5 buttons
 * (type 2); a button has a label of at most 80 characters; styles 1–4 need a `custom_id` of 1–100
 * characters, unique in the message, and no `url`; style 5 (link) needs an http(s) `url` and no
 * `custom_id`.
 */
function validateComponents(components: unknown, errors: FormErrors): void {
  if (components === undefined) return;
  if (!Array.isArray(components)) {
    errors.add(['components'], 'BASE_TYPE_ARRAY', 'Must be an array.');
    return;
  }
  if (components.length > L.actionRowsPerMessage) {
    errors.add(['components'], 'BASE_TYPE_MAX_LENGTH', `Must be ${L.actionRowsPerMessage} or fewer in length.`);
  }
  const ids = new Set<string>();
  components.forEach((raw: unknown, i: number) => {
    const row = (raw ?? {}) as Record<string, unknown>;
    if (row['type'] !== 1) errors.add(['components', i, 'type'], 'COMPONENT_LAYOUT_INVALID', 'Top-level components must be action rows.');
    const buttons = Array.isArray(row['components']) ? (row['components'] as Record<string, unknown>[]) : [];
    if (buttons.length === 0 || buttons.length > L.buttonsPerRow) {
      errors.add(['components', i, 'components'], 'BASE_TYPE_BAD_LENGTH', `Must be between 1 and ${L.buttonsPerRow} in length.`);
    }
    buttons.forEach((button, j) => validateButton(['components', i, 'components', j], button, ids, errors));
  });
}

/** One button at `path`: label, style, and a custom_id unique among `ids` or a link. */
function validateButton(path: (string | number)[], button: Record<string, unknown>, ids: Set<string>, errors: FormErrors): void {
  if (button['type'] !== 2) {
    errors.add([...path, 'type'], 'COMPONENT_TYPE_INVALID', 'Only buttons are used by this bot.');
    return;
  }
  const label = button['label'];
  if (typeof label !== 'string' || label.length === 0) errors.add([...path, 'label'], 'BASE_TYPE_REQUIRED', 'This field is required');
  errors.maxLength([...path, 'label'], label, L.buttonLabelChars);
  const style = button['style'];
  const customId = button['custom_id'];
  if (style === 5) {
    const url = button['url'];
    if (typeof url !== 'string' || !/^https?:\/\//.test(url)) errors.add([...path, 'url'], 'URL_TYPE_INVALID_URL', 'Not a well formed URL.');
    if (customId !== undefined) errors.add([...path, 'custom_id'], 'BUTTON_LINK_CUSTOM_ID', 'A link button cannot have a custom_id.');
  } else if ([1, 2, 3, 4].includes(Number(style))) {
    if (typeof customId !== 'string' || customId.length === 0) errors.add([...path, 'custom_id'], 'BASE_TYPE_REQUIRED', 'This field is required');
    errors.maxLength([...path, 'custom_id'], customId, L.customIdChars);
    if (typeof customId === 'string') {
      if (ids.has(customId)) errors.add([...path, 'custom_id'], 'COMPONENT_CUSTOM_ID_DUPLICATED', 'Component custom id cannot be duplicated');
      ids.add(customId);
    }
    if (button['url'] !== undefined) errors.add([...path, 'url'], 'BUTTON_NON_LINK_URL', 'Only link buttons can have a url.');
  } else {
    errors.add([...path, 'style'], 'BASE_TYPE_CHOICES', 'Value must be one of (1, 2, 3, 4, 5, 6).');
  }
}

/** Discord's message flag IS_COMPONENTS_V2 (1 << 15). */
export const IS_COMPONENTS_V2 = 1 << 15;

/** With IS_COMPONENTS_V2 a message is its components: Discord refuses content, embeds, stickers and polls beside them. */
function refuseLegacyFields(body: Record<string, unknown>, errors: FormErrors): void {
  const legacy = (field: string) =>
    errors.add([field], 'MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2', `The '${field}' field cannot be used when using MessageFlags.IS_COMPONENTS_V2`);
  if (typeof body['content'] === 'string' && body['content'] !== '') legacy('content');
  if (Array.isArray(body['embeds']) && body['embeds'].length > 0) legacy('embeds');
  if (body['sticker_ids'] !== undefined) legacy('sticker_ids');
  if (body['poll'] !== undefined) legacy('poll');
}

/** Component types Discord takes at the top of a V2 message, and inside a container. */
const V2_TOP_LEVEL = new Set([1, 9, 10, 12, 13, 14, 17]);
const V2_IN_CONTAINER = new Set([1, 9, 10, 12, 13, 14]);

/**
 * Components V2 as Discord checks them ("Component Reference"): at most 40 components in all,
 * nested ones and accessories counted; at most 4,000 characters across every text display;
 * containers (17) hold action rows, sections, text displays, galleries, files and separators;
 * a section (9) one to three text displays and a button or thumbnail accessory; a media gallery
 * (12) one to ten items, each naming an uploaded file where it says `attachment://`; a separator
 * (14) spacing 1 or 2; action rows as in the classic layout.
 */
function validateComponentsV2(components: unknown, files: RecordedFile[], errors: FormErrors): void {
  if (!Array.isArray(components) || components.length === 0) {
    errors.add(['components'], 'BASE_TYPE_REQUIRED', 'This field is required');
    return;
  }
  const ids = new Set<string>();
  let count = 0;
  let textChars = 0;
  const visit = (raw: unknown, path: (string | number)[], allowed: Set<number>): void => {
    count += 1;
    const component = (raw ?? {}) as Record<string, unknown>;
    const type = Number(component['type']);
    if (!allowed.has(type)) {
      errors.add([...path, 'type'], 'UNION_TYPE_CHOICES', `Value of field "type" must be one of (${[...allowed].join(', ')}).`);
      return;
    }
    const children = Array.isArray(component['components']) ? (component['components'] as unknown[]) : [];
    switch (type) {
      case 17: {
        if (children.length === 0) errors.add([...path, 'components'], 'BASE_TYPE_MIN_LENGTH', 'Must be 1 or more in length.');
        const accent = component['accent_color'];
        if (accent !== undefined && accent !== null && !(Number.isInteger(accent) && Number(accent) >= 0 && Number(accent) <= 0xffffff)) {
          errors.add([...path, 'accent_color'], 'NUMBER_TYPE_MAX', 'int value should be less than or equal to 16777215.');
        }
        children.forEach((child, i) => visit(child, [...path, 'components', i], V2_IN_CONTAINER));
        break;
      }
      case 9: {
        if (children.length < 1 || children.length > L.sectionTextDisplays) {
          errors.add([...path, 'components'], 'BASE_TYPE_BAD_LENGTH', `Must be between 1 and ${L.sectionTextDisplays} in length.`);
        }
        children.forEach((child, i) => visit(child, [...path, 'components', i], new Set([10])));
        const accessory = component['accessory'];
        if (typeof accessory !== 'object' || accessory === null) {
          errors.add([...path, 'accessory'], 'BASE_TYPE_REQUIRED', 'This field is required');
        } else if ((accessory as Record<string, unknown>)['type'] === 11) {
          count += 1;
        } else {
          count += 1;
          validateButton([...path, 'accessory'], accessory as Record<string, unknown>, ids, errors);
        }
        break;
      }
      case 10: {
        const content = component['content'];
        if (typeof content !== 'string' || content.length === 0) errors.add([...path, 'content'], 'BASE_TYPE_REQUIRED', 'This field is required');
        else textChars += content.length;
        errors.maxLength([...path, 'content'], content, L.textDisplayTotalChars);
        break;
      }
      case 12: {
        const items = Array.isArray(component['items']) ? (component['items'] as Record<string, unknown>[]) : [];
        if (items.length < 1 || items.length > L.mediaGalleryItems) {
          errors.add([...path, 'items'], 'BASE_TYPE_BAD_LENGTH', `Must be between 1 and ${L.mediaGalleryItems} in length.`);
        }
        items.forEach((item, i) => {
          const url = (item['media'] as { url?: unknown } | undefined)?.url;
          if (typeof url !== 'string' || !/^(https?|attachment):\/\//.test(url)) {
            errors.add([...path, 'items', i, 'media', 'url'], 'URL_TYPE_INVALID_URL', 'Not a well formed URL.');
          } else if (url.startsWith('attachment://') && !files.some((f) => f.name === url.slice('attachment://'.length))) {
            errors.add([...path, 'items', i, 'media', 'url'], 'ATTACHMENT_NOT_FOUND', `No uploaded file named "${url.slice('attachment://'.length)}".`);
          }
          errors.maxLength([...path, 'items', i, 'description'], item['description'], 1024);
        });
        break;
      }
      case 14: {
        const spacing = component['spacing'];
        if (spacing !== undefined && spacing !== 1 && spacing !== 2) errors.add([...path, 'spacing'], 'BASE_TYPE_CHOICES', 'Value must be one of (1, 2).');
        break;
      }
      case 1: {
        if (children.length === 0 || children.length > L.buttonsPerRow) {
          errors.add([...path, 'components'], 'BASE_TYPE_BAD_LENGTH', `Must be between 1 and ${L.buttonsPerRow} in length.`);
        }
        children.forEach((button, j) => {
          count += 1;
          validateButton([...path, 'components', j], (button ?? {}) as Record<string, unknown>, ids, errors);
        });
        break;
      }
      default:
        break;
    }
  };
  components.forEach((component, i) => visit(component, ['components', i], V2_TOP_LEVEL));
  if (count > L.componentsPerMessage) {
    errors.add(['components'], 'COMPONENT_MAX_TOTAL_COMPONENTS_EXCEEDED', `Must be ${L.componentsPerMessage} or fewer in total (nested components included).`);
  }
  if (textChars > L.textDisplayTotalChars) {
    errors.add(['components'], 'COMPONENT_MAX_TEXT_LENGTH_EXCEEDED', `Text displays must be ${L.textDisplayTotalChars} or fewer characters in total.`);
  }
}

const NAME = /^[-_\p{Ll}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

/** Checks an application command list as PUT …/commands does (names, descriptions, options, localizations). */
export function validateCommands(commands: unknown): FakeRefusal | null {
  const errors = new FormErrors();
  if (!Array.isArray(commands)) {
    errors.add([], 'BASE_TYPE_ARRAY', 'Must be an array.');
    return errors.refusal();
  }
  const seen = new Set<string>();
  commands.forEach((raw: unknown, i: number) => {
    const command = (raw ?? {}) as Record<string, unknown>;
    const name = command['name'];
    if (typeof name !== 'string' || !NAME.test(name) || name.length > L.commandNameChars) {
      errors.add([i, 'name'], 'APPLICATION_COMMAND_INVALID_NAME', 'Command name is invalid');
    } else if (seen.has(name)) {
      errors.add([i, 'name'], 'APPLICATION_COMMANDS_DUPLICATE_NAME', 'Application command names must be unique');
    } else {
      seen.add(name);
    }
    checkDescription(errors, [i, 'description'], command['description']);
    checkLocalizations(errors, [i, 'description_localizations'], command['description_localizations'], true);
    checkLocalizations(errors, [i, 'name_localizations'], command['name_localizations'], false);
    const dmp = command['default_member_permissions'];
    if (dmp !== undefined && dmp !== null && !(typeof dmp === 'string' && /^\d+$/.test(dmp))) {
      errors.add([i, 'default_member_permissions'], 'BASE_TYPE_STRING', 'Must be a permission bitfield string.');
    }
    const options = command['options'] ?? [];
    if (!Array.isArray(options)) {
      errors.add([i, 'options'], 'BASE_TYPE_ARRAY', 'Must be an array.');
      return;
    }
    if (options.length > L.commandOptions) {
      errors.add([i, 'options'], 'BASE_TYPE_MAX_LENGTH', `Must be ${L.commandOptions} or fewer in length.`);
    }
    let sawOptional = false;
    options.forEach((rawOption: unknown, j: number) => {
      const option = (rawOption ?? {}) as Record<string, unknown>;
      if (typeof option['name'] !== 'string' || !NAME.test(option['name'])) {
        errors.add([i, 'options', j, 'name'], 'APPLICATION_COMMAND_INVALID_NAME', 'Option name is invalid');
      }
      checkDescription(errors, [i, 'options', j, 'description'], option['description']);
      checkLocalizations(errors, [i, 'options', j, 'description_localizations'], option['description_localizations'], true);
      if (![3, 4, 5, 6, 7, 8, 9, 10, 11].includes(Number(option['type']))) {
        errors.add([i, 'options', j, 'type'], 'BASE_TYPE_CHOICES', 'Value must be one of the option types.');
      }
      if (option['autocomplete'] === true && Number(option['type']) !== 3 && Number(option['type']) !== 4 && Number(option['type']) !== 10) {
        errors.add([i, 'options', j, 'autocomplete'], 'APPLICATION_COMMAND_OPTION_INVALID', 'Autocomplete needs a string or number option.');
      }
      if (option['required'] === true && sawOptional) {
        errors.add([i, 'options', j, 'required'], 'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID', 'Required options must be placed before non-required options');
      }
      if (option['required'] !== true) sawOptional = true;
    });
  });
  return errors.refusal();
}

function checkDescription(errors: FormErrors, path: (string | number)[], value: unknown): void {
  if (typeof value !== 'string' || value.length < 1 || value.length > L.commandDescriptionChars) {
    errors.add(path, 'BASE_TYPE_BAD_LENGTH', `Must be between 1 and ${L.commandDescriptionChars} in length.`);
  }
}

/** Locales Discord accepts in `*_localizations` maps. */
const DISCORD_LOCALES = new Set([
  'id', 'da', 'de', 'en-GB', 'en-US', 'es-ES', 'es-419', 'fr', 'hr', 'it', 'lt', 'hu', 'nl', 'no', 'pl', 'pt-BR', 'ro',
  'fi', 'sv-SE', 'vi', 'tr', 'cs', 'el', 'bg', 'ru', 'uk', 'hi', 'th', 'zh-CN', 'ja', 'zh-TW', 'ko',
]);

function checkLocalizations(errors: FormErrors, path: (string | number)[], value: unknown, description: boolean): void {
  if (value === undefined || value === null) return;
  if (typeof value !== 'object') {
    errors.add(path, 'DICT_TYPE_CONVERT', 'Only dictionaries may be used in a DictType');
    return;
  }
  for (const [locale, text] of Object.entries(value)) {
    if (!DISCORD_LOCALES.has(locale)) {
      errors.add([...path, locale], 'ENUM_TYPE_COERCE', `Value "${locale}" is not a valid enum value.`);
    } else if (description) {
      checkDescription(errors, [...path, locale], text);
    } else if (typeof text !== 'string' || !NAME.test(text)) {
      errors.add([...path, locale], 'APPLICATION_COMMAND_INVALID_NAME', 'Command name is invalid');
    }
  }
}
