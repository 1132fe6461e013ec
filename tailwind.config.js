/** The portal's Tailwind build: `make css` writes klustera/static/klustera/portal.css. */
module.exports = {
  content: ["./klustera/**/templates/**/*.html", "./klustera/static/klustera/*.js"],
  theme: {
    extend: {
      colors: {
        brand: { DEFAULT: "#0f766e", dark: "#115e59", light: "#ccfbf1" },
        ink: "#1f2933",
        muted: "#616e7c",
        canvas: "#f5f7fa",
      },
    },
  },
  plugins: [],
};
