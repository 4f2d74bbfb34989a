// Compile the Sass entry point and copy GOV.UK Frontend's script into
// static/dist/, which Django serves and git ignores.
import { compile } from "sass";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";

const out = "static/dist";
mkdirSync(out, { recursive: true });

const result = compile("frontend/app.scss", {
  loadPaths: ["node_modules"],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import", "global-builtin"],
});
writeFileSync(`${out}/app.css`, result.css);

const dist = "node_modules/govuk-frontend/dist/govuk";
copyFileSync(`${dist}/govuk-frontend.min.js`, `${out}/govuk-frontend.min.js`);
console.log(`built ${out}/app.css (${result.css.length} bytes)`);
