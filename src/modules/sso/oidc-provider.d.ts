/** `oidc-provider` ships no types; inpulse uses its default export only (local-provider.ts). */
declare module 'oidc-provider' {
  const Provider: unknown;
  export default Provider;
}
