// Lambda Create function, Author from scratch: Function name, Runtime, Handler, Architecture, the
// execution role (a new one with basic Lambda permissions, or an existing one) and the code (.zip).
import { call, state } from "../api.js";
import { h, replace } from "../dom.js";
import { alertBox, radios, readFile, row, select } from "../controls.js";
import { go, href } from "../nav.js";
import { blobOf, build, entries } from "../zip.js";

// The Lambda console's own check and words, before anything (a new role) is made.
const FUNCTION_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const NAME_RULE = "Function name must be 1 to 64 characters, must be unique to the Region, and can't include spaces. Valid characters are a-z, A-Z, 0-9, hyphens (-), and underscores (_).";
export const RUNTIMES = ["python3.14", "python3.13", "python3.12", "python3.11", "python3.10", "python3.9"];
const DEFAULT_CODE = `import json


def lambda_handler(event, context):
    # TODO implement
    return {
        'statusCode': 200,
        'body': json.dumps('Hello from Lambda!')
    }
`;

/** The role "Create a new role with basic Lambda permissions" makes: <fn>-role-<id> with a logs policy. */
async function basicRole(name, account, region) {
  const suffix = Math.random().toString(36).slice(2, 10);
  const roleName = `${name}-role-${suffix}`.slice(0, 64);
  const trust = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] };
  const { Role } = await call("iam", "CreateRole", { RoleName: roleName, Path: "/service-role/", AssumeRolePolicyDocument: JSON.stringify(trust) });
  const policy = { Version: "2012-10-17", Statement: [
    { Effect: "Allow", Action: "logs:CreateLogGroup", Resource: `arn:aws:logs:${region}:${account}:*` },
    { Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: [`arn:aws:logs:${region}:${account}:log-group:/aws/lambda/${name}:*`] },
  ] };
  const { Policy } = await call("iam", "CreatePolicy", { PolicyName: `AWSLambdaBasicExecutionRole-${crypto.randomUUID()}`, Path: "/service-role/", PolicyDocument: JSON.stringify(policy) });
  await call("iam", "AttachRolePolicy", { RoleName: roleName, PolicyArn: Policy.Arn });
  return Role.Arn;
}

export async function create(main) {
  const { Roles = [] } = await call("iam", "ListRoles", { MaxItems: 1000 });
  const name = h("input", { size: 40, maxlength: 64, autocomplete: "off" });
  const runtime = select(RUNTIMES, "python3.13");
  const handler = h("input", { size: 40, value: "lambda_function.lambda_handler" });
  const architecture = radios("Architecture", [["x86_64", "x86_64"], ["arm64", "arm64"]], "x86_64");
  const roleChoice = radios("Execution role", [
    ["new", "Create a new role with basic Lambda permissions"],
    ["existing", "Use an existing role"],
  ], "new");
  const existing = select([["", "Choose an existing role"], ...Roles.map((r) => [r.Arn, r.RoleName])], "");
  const existingRow = h("div", { class: "stack", hidden: true }, row("Existing role", existing));
  roleChoice.onChange((v) => { existingRow.hidden = v !== "existing"; });
  const zip = h("input", { type: "file", accept: ".zip,application/zip" });
  const files = h("p", { class: "muted", testid: "zip-files" }, "No .zip file chosen: the function starts with the default lambda_function.py.");
  zip.addEventListener("change", async () => {
    if (!zip.files[0]) return;
    try {
      const { buffer } = await readFile(zip.files[0]);
      files.textContent = `Files: ${entries(buffer).map((e) => e.name).join(", ")}`;
    } catch (e) { files.textContent = e.message; }
  });
  const error = alertBox();
  const submit = async (event) => {
    event.preventDefault();
    error.clear();
    if (!FUNCTION_NAME.test(name.value.trim())) { error.show({ message: NAME_RULE }); return; }
    try {
      let role = existing.value;
      if (roleChoice.value() === "existing" && !role) throw { message: "Choose an existing role." };
      let code = blobOf(build({ "lambda_function.py": DEFAULT_CODE }));
      if (zip.files[0]) {
        const read = await readFile(zip.files[0]);
        entries(read.buffer);
        code = read.blob;
      }
      if (roleChoice.value() === "new") {
        const { account, region } = await state();
        role = await basicRole(name.value.trim(), account, region);
      }
      await call("lambda", "CreateFunction", {
        FunctionName: name.value.trim(), Runtime: runtime.value, Handler: handler.value.trim(), Role: role,
        Code: { ZipFile: code }, Architectures: [architecture.value()],
      });
      go("/function", { name: name.value.trim(), tab: "code" });
    } catch (e) {
      error.show(e);
    }
  };
  const form = h("form", {},
    h("fieldset", { class: "radios" }, h("legend", {}, "Create function"),
      h("label", { class: "check" }, h("input", { type: "radio", name: "create-kind", checked: true }), " Author from scratch"),
      h("small", { class: "muted" }, " Start with a simple Hello World example, or upload your own .zip file.")),
    h("h2", {}, "Basic information"),
    h("div", { class: "stack" },
      row("Function name", name, "Enter a name that describes the purpose of your function."),
      row("Runtime", runtime), row("Handler", handler, "file.function, as in lambda_function.lambda_handler"),
      row("Code (.zip file)", zip), h("span"), files),
    architecture.el, h("h2", {}, "Permissions"), roleChoice.el, existingRow, error.el,
    h("div", { class: "toolbar" }, h("a", { href: href("/functions"), class: "button" }, "Cancel"),
      h("button", { type: "submit", class: "primary" }, "Create function")));
  form.addEventListener("submit", submit);
  replace(main, h("h1", {}, "Create function"), h("div", { class: "card" }, form));
  name.focus();
}
