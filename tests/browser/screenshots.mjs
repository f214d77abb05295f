// Takes the README's screenshots of a built site with headless Chromium:
//   node screenshots.mjs SITE_DIR OUT_DIR
import path from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const [site, out] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, colorScheme: "light" });
for (const [file, name] of [["index.html", "home.png"], ["matrix.html", "matrix.png"]]) {
  await page.goto(pathToFileURL(path.resolve(site, file)).href);
  await page.screenshot({ path: path.join(out, name) });
}
await browser.close();
