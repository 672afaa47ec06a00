import * as path from 'path';
import * as ts from 'typescript';

/**
 * Every public prop of the library is documented, and every optional one says its default (STYLE 2): read
 * from the sources with the TypeScript compiler, over everything lib/index.ts exports.
 */
describe('API documentation', () => {
  const program = ts.createProgram([path.join(__dirname, '..', 'lib', 'index.ts')], { strict: true, skipLibCheck: true });
  const checker = program.getTypeChecker();
  const index = checker.getSymbolAtLocation(program.getSourceFile(path.join(__dirname, '..', 'lib', 'index.ts'))!)!;
  const exported = checker.getExportsOfModule(index).map(s => (s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s));

  function problems(): string[] {
    const found: string[] = [];
    for (const symbol of exported) {
      const decl = symbol.declarations?.[0];
      if (!decl || ts.getJSDocTags(decl).some(t => t.tagName.text === 'internal')) continue;
      if (ts.isInterfaceDeclaration(decl) || ts.isClassDeclaration(decl) || ts.isEnumDeclaration(decl)) {
        if (ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim() === '') {
          found.push(`${symbol.name}: no doc comment`);
        }
      }
      if (ts.isClassDeclaration(decl)) {
        // Public fields, getters, methods and static factories: every member a user can reach.
        for (const member of decl.members) {
          if (ts.isConstructorDeclaration(member) || !member.name || ts.isPrivateIdentifier(member.name)) continue;
          const modifiers = ts.getCombinedModifierFlags(member as ts.Declaration);
          if (modifiers & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) continue;
          if (member.name.getText().startsWith('_') || ts.getJSDocTags(member).some(t => t.tagName.text === 'internal')) continue;
          const memberSymbol = checker.getSymbolAtLocation(member.name);
          const doc = memberSymbol ? ts.displayPartsToString(memberSymbol.getDocumentationComment(checker)).trim() : '';
          // A member that implements an interface's documented member inherits its doc.
          const inherited = decl.heritageClauses?.some(h => h.types.some(t => {
            const base = checker.getTypeAtLocation(t);
            const prop = base.getProperty(member.name!.getText());
            return prop !== undefined && ts.displayPartsToString(prop.getDocumentationComment(checker)).trim() !== '';
          }));
          if (doc === '' && !inherited) found.push(`${symbol.name}.${member.name.getText()}: no doc comment`);
        }
        continue;
      }
      if (!ts.isInterfaceDeclaration(decl)) continue;
      for (const member of decl.members) {
        if (!ts.isPropertySignature(member)) continue;
        const prop = checker.getSymbolAtLocation(member.name)!;
        const name = `${symbol.name}.${prop.name}`;
        if (ts.getJSDocTags(member).some(t => t.tagName.text === 'internal')) continue;
        if (ts.displayPartsToString(prop.getDocumentationComment(checker)).trim() === '' && !ts.getJSDocTags(member).some(t => t.tagName.text === 'default')) {
          found.push(`${name}: no doc comment`);
        }
        if (member.questionToken && !ts.getJSDocTags(member).some(t => t.tagName.text === 'default')) {
          found.push(`${name}: optional without @default`);
        }
      }
    }
    return found;
  }

  test('every exported type, every prop and every public class member is documented; every optional prop has @default', () => {
    expect(exported.length).toBeGreaterThan(20);
    expect(problems()).toEqual([]);
  });
});
