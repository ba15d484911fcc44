import { renderLockoutNotice } from './account-mail';

describe('lock-out notice', () => {
  const message = renderLockoutNotice({
    displayName: 'Aminata <b>Traoré</b>',
    email: 'aminata@acf.example',
    lockedUntil: new Date('2026-12-01T10:15:00Z'),
    failures: 5,
    address: '203.0.113.9',
    signInUrl: 'https://hns.example.org/web/sign-in',
  });

  it('is bilingual, French first, and says until when and from where', () => {
    expect(message.to).toEqual(['aminata@acf.example']);
    expect(message.subject).toBe(
      'Connexion suspendue après des tentatives échouées / Sign-in suspended after failed attempts',
    );
    expect(message.text.indexOf('Bonjour')).toBeLessThan(message.text.indexOf('Hello'));
    expect(message.text).toContain("jusqu'au 1 décembre 2026 à 10:15 UTC");
    expect(message.text).toContain('until 1 December 2026 at 10:15 UTC');
    expect(message.text).toContain('203.0.113.9');
    expect(message.text).toContain('After 5 sign-in attempts');
  });

  it('escapes what it quotes in the HTML part', () => {
    expect(message.html).toContain('Aminata &lt;b&gt;Traoré&lt;/b&gt;');
    expect(message.html).not.toContain('<b>Traoré');
    expect(message.html).toContain('lang="fr"');
    expect(message.html).toContain('lang="en"');
  });
});
