/**
 * Used by Jest only, for ES-module-only packages that CommonJS packages require (see
 * jest.config.js). When Jest loads a file as an ES module it is left as it is.
 */
module.exports = (api) => {
  const esm = api.caller((caller) => Boolean(caller && caller.supportsStaticESM));
  return { babelrc: false, plugins: esm ? [] : ['@babel/plugin-transform-modules-commonjs'] };
};
