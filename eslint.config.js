// ESLint for the portal's hand-written JavaScript (make lint); vendored files are not ours.
const js = require("@eslint/js");
const globals = require("globals");

module.exports = [
  js.configs.recommended,
  {
    files: ["klustera/static/klustera/**/*.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "script",
      globals: {
        ...globals.browser,
        Alpine: "readonly",
        htmx: "readonly",
        jsQR: "readonly",
        L: "readonly",
        Chart: "readonly",
      },
    },
  },
  {
    files: ["*.config.js"],
    languageOptions: { sourceType: "commonjs", globals: globals.node },
  },
];
