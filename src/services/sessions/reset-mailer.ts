/** Sends password reset links; absent when no SMTP_URL is configured. */
export interface ResetMailer {
  sendResetLink(to: string, url: string, expiresAt: Date): Promise<void>;
}

/** The SMTP settings (SMTP_URL, SMTP_FROM). */
export interface SmtpSettings {
  url: string;
  from: string;
}

/** nodemailer over SMTP_URL, loaded on the first mail so a gateway without SMTP never loads it. */
export class SmtpResetMailer implements ResetMailer {
  private transport: Promise<{ sendMail(message: object): Promise<unknown> }> | undefined;

  constructor(private readonly smtp: SmtpSettings) {}

  async sendResetLink(to: string, url: string, expiresAt: Date): Promise<void> {
    this.transport ??= import('nodemailer').then((m) => m.default.createTransport(this.smtp.url));
    const transport = await this.transport;
    const until = expiresAt.toISOString().replace('T', ' ').slice(0, 16);
    await transport.sendMail({
      from: this.smtp.from,
      to,
      subject: 'Password reset / Сброс пароля',
      text:
        `To set a new password, open this link (valid until ${until} UTC, once):\n${url}\n\n` +
        `Чтобы задать новый пароль, откройте ссылку (действует до ${until} UTC, один раз):\n${url}\n\n` +
        'If you did not ask for this, ignore this mail. / Если вы не запрашивали сброс, просто проигнорируйте это письмо.\n',
    });
  }
}
