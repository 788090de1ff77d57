// Parses and analyses KQL queries offline with Microsoft's Kusto language service
// (@kusto/language-service-next: Kusto.Language compiled to JavaScript, pinned in
// package-lock.json), against a database made of the tables in tables.json.
//
// stdin:  {"queries": [{"id": "...", "query": "..."}]}
// stdout: {"results": [{"id": "...", "diagnostics": ["KS142 ... @offset"], "columns": {...},
//          "tables": [...]}]}
// Every diagnostic of severity Error is reported (syntax, unknown table, unknown column,
// wrong types); `columns` is the query's result schema; `tables` the tables it reads.
"use strict";

const fs = require("fs");
const path = require("path");

global.Bridge = require("@kusto/language-service-next/bridge.js");
require("@kusto/language-service-next/Kusto.Language.Bridge.js");
const K = global.Kusto.Language;
const S = K.Symbols;

function database() {
  const document = JSON.parse(fs.readFileSync(path.join(__dirname, "tables.json"), "utf8"));
  const tables = Object.entries(document.tables).map(([name, table]) => {
    const schema = Object.entries(table.columns)
      .map(([column, type]) => `['${column}']:${type}`)
      .join(", ");
    return new S.TableSymbol.$ctor7(name, `(${schema})`, null);
  });
  return new S.DatabaseSymbol.$ctor3("workspace", null, Bridge.toList(tables), false);
}

function analyse(globals, query) {
  const code = K.KustoCode.ParseAndAnalyze(query, globals);
  const diagnostics = Bridge.toArray(code.GetDiagnostics())
    .filter((d) => d.Severity === "Error")
    .map((d) => `${d.Code} ${d.Message} @${d.Start}`);
  const columns = {};
  const result = code.ResultType;
  if (result && result.Columns) {
    for (const column of Bridge.toArray(result.Columns)) {
      columns[column.Name] = column.Type.Name;
    }
  }
  const tables = new Set();
  K.Syntax.SyntaxElement.prototype.WalkElements.call(code.Syntax, (element) => {
    const symbol = element.ReferencedSymbol;
    if (symbol && symbol.Kind === S.SymbolKind.Table) {
      tables.add(symbol.Name);
    }
  });
  return { diagnostics, columns, tables: [...tables].sort() };
}

function main() {
  const input = JSON.parse(fs.readFileSync(0, "utf8"));
  const globals = K.GlobalState.Default.WithDatabase(database());
  const results = input.queries.map((q) => ({ id: q.id, ...analyse(globals, q.query) }));
  process.stdout.write(JSON.stringify({ results }));
}

main();
