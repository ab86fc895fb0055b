// Compiles the OpenZeppelin ERC-1155 baseline of benchmarks/bench_erc1155.py and prints
// {"solc", "abi", "bytecode"} as JSON on stdout.
//
// OZCredit is the smallest concrete OpenZeppelin Contracts 5.4 ERC1155: an empty URI and an
// unrestricted `mint`. It is compiled with solc-js 0.8.28 (the npm package `solc`, pure
// JavaScript/wasm: nothing is downloaded at run time), optimizer on, 200 runs; imports are read
// from node_modules/@openzeppelin/contracts. Both packages are pinned in package.json.
//
// Usage: node benchmarks/oz_erc1155.js   (from the repository root, after `npm ci`)

"use strict";

const fs = require("fs");
const path = require("path");
const solc = require("solc");

const ROOT = path.resolve(__dirname, "..");
const NODE_MODULES = path.join(ROOT, "node_modules");
const SOLC_VERSION = "0.8.28";

const SOURCE = `// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC1155} from "@openzeppelin/contracts/token/ERC1155/ERC1155.sol";

contract OZCredit is ERC1155 {
    constructor() ERC1155("") {}

    function mint(address to, uint256 id, uint256 amount) external {
        _mint(to, id, amount, "");
    }
}
`;

function findImports(importPath) {
  const file = path.join(NODE_MODULES, importPath);
  if (!file.startsWith(NODE_MODULES + path.sep) || !fs.existsSync(file)) {
    return { error: `not found: ${importPath}` };
  }
  return { contents: fs.readFileSync(file, "utf8") };
}

function main() {
  if (!solc.version().startsWith(SOLC_VERSION + "+")) {
    throw new Error(`solc ${SOLC_VERSION} expected, found ${solc.version()}`);
  }
  const ozVersion = JSON.parse(
    fs.readFileSync(path.join(NODE_MODULES, "@openzeppelin/contracts/package.json"), "utf8"),
  ).version;
  const input = {
    language: "Solidity",
    sources: { "OZCredit.sol": { content: SOURCE } },
    settings: {
      optimizer: { enabled: true, runs: 200 },
      outputSelection: { "OZCredit.sol": { OZCredit: ["abi", "evm.bytecode.object"] } },
    },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));
  const errors = (output.errors || []).filter((e) => e.severity === "error");
  if (errors.length) {
    throw new Error(errors.map((e) => e.formattedMessage).join("\n"));
  }
  const contract = output.contracts["OZCredit.sol"].OZCredit;
  process.stdout.write(
    JSON.stringify({
      solc: solc.version(),
      openzeppelin: ozVersion,
      optimizer_runs: 200,
      abi: contract.abi,
      bytecode: "0x" + contract.evm.bytecode.object,
    }),
  );
}

main();
