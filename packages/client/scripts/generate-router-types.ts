// Writes src/generated/router.ts: the input and output type of every procedure of the server's AppRouter,
// spelled out as plain structural types, and the API version they belong to.
//
// Why not ship `typeof appRouter`: its declaration drags in the server's context (PrismaClient, the tool
// handlers, zod schemas), so a gateway would need Hone's source and its dependencies to type-check. A type
// bundler would inline the same chain. Printing each type structurally leaves only data shapes behind.
// Run from the repository: `npm run client:types` (also part of `npm run client:build`).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { HONE_API_VERSION } from '../../../server/api-version';
import type { AnyTool } from '../../../server/tools/define';
import { toolGroups } from '../../../server/tools/registry';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const OUTPUT = path.resolve(import.meta.dirname, '../src/generated/router.ts');
const PROBE = path.join(ROOT, 'server/trpc/routers/__client-types-probe.ts');

const groups = Object.entries(toolGroups).map(([group, procedures]) => ({
  group,
  procedures: Object.entries(procedures as Record<string, AnyTool>).map(([name, tool]) => ({
    name,
    toolName: tool.name,
    kind: tool.readOnly ? 'query' : 'mutation',
  })),
}));

// A file that exists only in memory: one alias per input and output, for the checker to resolve.
const probeSource = [
  "import type { AppRouter } from './_app';",
  ...groups.flatMap(({ group, procedures }) =>
    procedures.flatMap(({ name }) => [
      `export type ${group}__${name}__input = AppRouter['${group}']['${name}']['_def']['$types']['input'];`,
      `export type ${group}__${name}__output = AppRouter['${group}']['${name}']['_def']['$types']['output'];`,
    ]),
  ),
].join('\n');

function loadProgram(): ts.Program {
  const configPath = path.join(ROOT, 'tsconfig.json');
  const config = ts.getParsedCommandLineOfConfigFile(
    configPath,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  if (!config) throw new Error(`cannot read ${configPath}`);
  const host = ts.createCompilerHost({ ...config.options, incremental: false });
  const readFile = host.readFile.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (file) => (path.resolve(file) === PROBE ? probeSource : readFile(file));
  host.fileExists = (
    (fileExists) => (file: string) =>
      path.resolve(file) === PROBE || fileExists(file)
  )(host.fileExists.bind(host));
  host.getSourceFile = (file, languageVersion, ...rest) =>
    path.resolve(file) === PROBE
      ? ts.createSourceFile(file, probeSource, languageVersion, true)
      : getSourceFile(file, languageVersion, ...rest);
  return ts.createProgram({ rootNames: [PROBE], options: { ...config.options, incremental: false, noEmit: true }, host });
}

/** Prints a type as a self-contained structural type; recursive types become named aliases in `aliases`. */
class StructuralPrinter {
  readonly aliases = new Map<string, string>();
  private readonly onStack = new Map<ts.Type, { name: string; used: boolean }>();
  private readonly aliasByBody = new Map<string, string>();
  private placeholderCount = 0;

  constructor(private readonly checker: ts.TypeChecker) {}

  print(type: ts.Type, where: string): string {
    const recursing = this.onStack.get(type);
    if (recursing) {
      recursing.used = true;
      return recursing.name;
    }
    const flags = type.flags;
    const primitive =
      ts.TypeFlags.String |
      ts.TypeFlags.Number |
      ts.TypeFlags.Boolean |
      ts.TypeFlags.Null |
      ts.TypeFlags.Undefined |
      ts.TypeFlags.Unknown |
      ts.TypeFlags.Any |
      ts.TypeFlags.Never |
      ts.TypeFlags.Void |
      ts.TypeFlags.BooleanLiteral |
      ts.TypeFlags.NumberLiteral;
    if (flags & primitive) return this.checker.typeToString(type);
    if (flags & ts.TypeFlags.StringLiteral) return JSON.stringify((type as ts.StringLiteralType).value);
    if (flags & ts.TypeFlags.TemplateLiteral) return 'string';
    if (flags & (ts.TypeFlags.BigInt | ts.TypeFlags.BigIntLiteral | ts.TypeFlags.ESSymbolLike)) {
      throw new Error(`${where}: ${this.checker.typeToString(type)} cannot travel as JSON`);
    }

    const entry = { name: `$recursive${++this.placeholderCount}$`, used: false };
    this.onStack.set(type, entry);
    let printed: string;
    try {
      printed = this.printComposite(type, where);
    } finally {
      this.onStack.delete(type);
    }
    if (!entry.used) return printed;
    // The same recursive type reached through different declarations (zod's JSON in each schema) is one alias.
    const body = printed.replaceAll(entry.name, '$self$');
    const known = this.aliasByBody.get(body);
    if (known) return known;
    const base = type.aliasSymbol?.name ?? 'Recursive';
    let name = base;
    for (let n = 2; this.aliases.has(name); n++) name = `${base}${n}`;
    this.aliasByBody.set(body, name);
    this.aliases.set(name, body.replaceAll('$self$', name));
    return name;
  }

  private printComposite(type: ts.Type, where: string): string {
    if (type.isUnion()) {
      const members = type.types.map((member) => this.print(member, where));
      const withBoolean =
        members.includes('true') && members.includes('false')
          ? [...members.filter((m) => m !== 'true' && m !== 'false'), 'boolean']
          : members;
      return withBoolean.map((member) => (member.includes('=>') ? `(${member})` : member)).join(' | ');
    }
    // An intersection of plain objects is printed as the one object it is (as tRPC's Serialize sees it).
    const objectIntersection =
      type.isIntersection() && type.types.every((member) => member.flags & ts.TypeFlags.Object && !this.checker.isArrayLikeType(member));
    if (type.isIntersection() && !objectIntersection) return type.types.map((member) => `(${this.print(member, where)})`).join(' & ');
    if (!(type.flags & ts.TypeFlags.Object) && !objectIntersection)
      throw new Error(`${where}: unsupported type ${this.checker.typeToString(type)}`);

    if (type.symbol?.name === 'Date') return 'Date';
    if (this.checker.isArrayType(type)) {
      const [element] = this.checker.getTypeArguments(type as ts.TypeReference);
      const readonly = this.checker.typeToString(type).startsWith('readonly ');
      return `${readonly ? 'readonly ' : ''}(${this.print(element!, `${where}[]`)})[]`;
    }
    if (this.checker.isTupleType(type)) {
      const elements = this.checker.getTypeArguments(type as ts.TypeReference).map((element, i) => this.print(element, `${where}[${i}]`));
      return `[${elements.join(', ')}]`;
    }
    if (type.getCallSignatures().length || type.getConstructSignatures().length) {
      throw new Error(`${where}: a function (${this.checker.typeToString(type)}) cannot travel as JSON`);
    }
    const indexInfos = this.checker.getIndexInfosOfType(type);
    const properties = this.checker.getPropertiesOfType(type);
    // Kept as Record: `keyof Record<string, X>` is string, of `{ [key: string]: X }` string | number, and tRPC's
    // Serialize of a result type tells them apart.
    if (
      type.aliasSymbol?.name === 'Record' &&
      !properties.length &&
      indexInfos.length === 1 &&
      indexInfos[0]!.keyType.flags & ts.TypeFlags.String
    ) {
      return `Record<string, ${this.print(indexInfos[0]!.type, `${where}[key]`)}>`;
    }
    const members: string[] = [];
    for (const info of indexInfos) {
      members.push(
        `${info.isReadonly ? 'readonly ' : ''}[key: ${this.checker.typeToString(info.keyType)}]: ${this.print(info.type, `${where}[key]`)};`,
      );
    }
    for (const property of properties) {
      const optional = property.flags & ts.SymbolFlags.Optional ? '?' : '';
      const declaration = property.valueDeclaration ?? property.declarations?.[0];
      const readonly = declaration && ts.getCombinedModifierFlags(declaration) & ts.ModifierFlags.Readonly ? 'readonly ' : '';
      const propertyType = this.checker.getTypeOfSymbol(property);
      const key = /^[A-Za-z_$][\w$]*$/.test(property.name) ? property.name : JSON.stringify(property.name);
      members.push(`${readonly}${key}${optional}: ${this.print(propertyType, `${where}.${property.name}`)};`);
    }
    return members.length ? `{ ${members.join(' ')} }` : '{}';
  }
}

function generate(): string {
  const program = loadProgram();
  const diagnostics = ts.getPreEmitDiagnostics(program, program.getSourceFile(PROBE));
  if (diagnostics.length) throw new Error(ts.formatDiagnostics(diagnostics, ts.createCompilerHost({})));
  const checker = program.getTypeChecker();
  const probe = program.getSourceFile(PROBE)!;
  const aliasTypes = new Map<string, ts.Type>();
  for (const statement of probe.statements) {
    if (ts.isTypeAliasDeclaration(statement)) aliasTypes.set(statement.name.text, checker.getTypeAtLocation(statement.name));
  }
  const printer = new StructuralPrinter(checker);
  const typeOf = (alias: string) => printer.print(aliasTypes.get(alias)!, alias.replaceAll('__', '.'));

  const routerLines = groups.map(({ group, procedures }) => {
    const entries = procedures.map(({ name, toolName, kind }) => {
      const procedure = kind === 'query' ? 'TRPCQueryProcedure' : 'TRPCMutationProcedure';
      return [
        `    /** \`${toolName}\` (${kind === 'query' ? 'read' : 'write'}) */`,
        `    ${name}: ${procedure}<{ meta: object; input: ${typeOf(`${group}__${name}__input`)}; output: ${typeOf(`${group}__${name}__output`)} }>;`,
      ].join('\n');
    });
    return `  ${group}: {\n${entries.join('\n')}\n  };`;
  });
  const aliasLines = [...printer.aliases].map(([name, body]) => `type ${name} = ${body};`);

  return [
    "// Generated by packages/client/scripts/generate-router-types.ts from the server's AppRouter: do not edit.",
    '// `npm run client:types` rewrites it; server/test/client-router-types.typecheck.ts fails (in `tsc -p .`) when it is out of date.',
    "import type { TRPCMutationProcedure, TRPCQueryProcedure } from '@trpc/server';",
    '',
    '/** The API version these types describe (the server sends its own in the `Hone-Api-Version` header). */',
    `export const API_VERSION = '${HONE_API_VERSION}';`,
    '',
    ...aliasLines,
    ...(aliasLines.length ? [''] : []),
    '/** Every Hone procedure with its input and result, as the tRPC client sees them (`hone.<group>.<procedure>`). */',
    // A type, not an interface: tRPC's router record needs an index signature, which only a type alias has implicitly.
    'export type HoneProcedures = {',
    ...routerLines,
    '};',
    '',
  ].join('\n');
}

writeFileSync(OUTPUT, generate());
console.log(`wrote ${path.relative(process.cwd(), OUTPUT)}`);
