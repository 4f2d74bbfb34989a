// Compile the Sass entry point into static/dist/ (which Django serves and git
// ignores), with GOV.UK Frontend's script and every file the stylesheet
// names in a url(): the crest image, fonts if they are ever turned on. Also
// GOV.UK's accessible autocomplete (its stylesheet is in app.css through
// app.scss), with its licence beside it.
//
// In production `collectstatic` (the manifest storage) rewrites each url() to
// a hashed name and stops with MissingFileError on any file that is not there,
// so the build stops first, naming what is missing.
import { compile } from "sass";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, posix } from "node:path";

const out = "static/dist";
const govuk = "node_modules/govuk-frontend/dist/govuk";
const autocomplete = "node_modules/accessible-autocomplete";
// Where app.scss's $govuk-assets-path points, relative to app.css.
const assetsPrefix = "assets/";

function fail(lines) {
  rmSync(`${out}/app.css`, { force: true });
  console.error(["frontend build failed:", ...lines].join("\n  "));
  process.exit(1);
}

const result = compile("frontend/app.scss", {
  loadPaths: ["node_modules"],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import", "global-builtin"],
});
const css = result.css;

// Every url() in the stylesheet, without quotes, query or fragment.
const references = new Set();
for (const match of css.matchAll(/url\(\s*(["']?)(.*?)\1\s*\)/g)) {
  const url = match[2].trim();
  if (url === "" || url.startsWith("data:") || url.startsWith("#")) {
    continue;
  }
  references.add(url);
}

const problems = [];
const assets = new Set();
for (const url of references) {
  if (/^([a-z][a-z0-9+.-]*:|\/)/i.test(url)) {
    // An absolute URL escapes the manifest storage (and STATIC_URL): keep
    // $govuk-assets-path relative to app.css.
    problems.push(`${url}: not relative to app.css (check $govuk-assets-path)`);
    continue;
  }
  const path = posix.normalize(url.split(/[?#]/)[0]);
  if (!path.startsWith(assetsPrefix)) {
    problems.push(`${url}: not under ${assetsPrefix}, where GOV.UK Frontend's assets are copied`);
    continue;
  }
  assets.add(path);
}

// Copy exactly the named assets, dropping any left over from an earlier build.
rmSync(`${out}/${assetsPrefix}`, { recursive: true, force: true });
for (const path of assets) {
  const source = `${govuk}/${path}`;
  if (!existsSync(source)) {
    problems.push(`${path}: named by app.css but not in ${govuk}/`);
    continue;
  }
  mkdirSync(dirname(`${out}/${path}`), { recursive: true });
  copyFileSync(source, `${out}/${path}`);
}

if (problems.length) {
  fail(problems);
}

// The stylesheet is written last, so a failed build leaves no fresh app.css
// behind for make to take as up to date.
mkdirSync(out, { recursive: true });
copyFileSync(`${govuk}/govuk-frontend.min.js`, `${out}/govuk-frontend.min.js`);
// Without its source map comment: collectstatic's manifest storage would
// stop on the map, which is not served.
writeFileSync(
  `${out}/accessible-autocomplete.min.js`,
  readFileSync(`${autocomplete}/dist/accessible-autocomplete.min.js`, "utf8").replace(
    /\n?\/\/# sourceMappingURL=\S+\s*$/,
    "\n",
  ),
);
copyFileSync(`${autocomplete}/LICENSE.txt`, `${out}/accessible-autocomplete.LICENSE.txt`);
writeFileSync(`${out}/app.css`, css);
console.log(`built ${out}/app.css (${css.length} bytes) and ${assets.size} asset(s) it names`);
