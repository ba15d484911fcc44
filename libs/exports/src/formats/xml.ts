/**
 * Text for XML 1.0 content and attribute values: markup characters escaped, and the characters
 * XML 1.0 forbids (C0 controls but tab and line breaks, lone surrogates, U+FFFE/U+FFFF) dropped,
 * so user text can neither break the document nor make it ill-formed.
 */
export function xmlText(value: string): string {
  return [...value]
    .filter((char) => {
      const code = char.codePointAt(0) ?? 0;
      if (code === 0x9 || code === 0xa || code === 0xd) return true;
      if (code < 0x20 || code === 0xfffe || code === 0xffff) return false;
      return !(code >= 0xd800 && code <= 0xdfff);
    })
    .join('')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** `<name>text</name>`, or nothing for an empty value. */
export function element(name: string, value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === '') return '';
  return `<${name}>${xmlText(String(value))}</${name}>`;
}
