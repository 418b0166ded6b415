/**
 * What a model can take as input, by model id. Endpoints do not say, so this is a small table of the
 * text-only families served through OpenAI-compatible endpoints; anything else is assumed to take
 * images (the common case for current models). `NANOCODE_IMAGES=0|1` overrides it.
 * @module
 */

/** Model id patterns of text-only families (matched against the id's last path segment). */
const TEXT_ONLY: readonly RegExp[] = [
  /deepseek/i,
  /gpt-oss/i,
  /minimax/i,
  /qwen[\d.]*-coder/i,
  /^glm-[\d.]+(-(air|flash|plus|turbo))?$/i,
  /^kimi-k2(-(instruct|thinking|turbo)[\w-]*)?$/i,
];

/**
 * Whether the model accepts image parts in user messages.
 * @example acceptsImages("kimi-k2.6") // true; acceptsImages("deepseek-v4-flash") // false
 */
export function acceptsImages(model: string): boolean {
  const name = model.split("/").at(-1) ?? model;
  return !TEXT_ONLY.some((pattern) => pattern.test(name));
}
