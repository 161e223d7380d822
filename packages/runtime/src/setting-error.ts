/**
 * A setting that stops the program at start. The message is one line naming the setting and
 * never contains a secret's value, so an app prints it as it is and exits.
 */
export class SettingError extends Error {
  override readonly name = 'SettingError';
  /** The environment variable at fault. */
  readonly setting: string;

  constructor(setting: string, message: string, options?: { readonly cause?: unknown }) {
    super(message.replace(/\s*\n\s*/g, ' '), options);
    this.setting = setting;
  }
}
