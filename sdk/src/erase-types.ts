/**
 * Erases TypeScript's type syntax from a syntax tree, the way Node's type
 * stripping does at run time: annotations, type parameters and arguments,
 * `as` / `satisfies` / `!` assertions, `this` parameters, optional markers,
 * access modifiers, overloads, interfaces and type aliases go; every
 * parenthesis and every runtime token stays. (TypeScript's own emitter also
 * drops the parentheses around an erased assertion; Node keeps them, so this
 * does too, and a function hashes the same from its source and from
 * `fn.toString()`.)
 */
import ts from "typescript";

const TYPE_ONLY_MODIFIERS = new Set([
  ts.SyntaxKind.PublicKeyword,
  ts.SyntaxKind.PrivateKeyword,
  ts.SyntaxKind.ProtectedKeyword,
  ts.SyntaxKind.ReadonlyKeyword,
  ts.SyntaxKind.OverrideKeyword,
  ts.SyntaxKind.AbstractKeyword,
  ts.SyntaxKind.DeclareKeyword,
]);

const has = (node: ts.Node, kind: ts.SyntaxKind) =>
  ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === kind);

export function eraseTypes(context: ts.TransformationContext): ts.Transformer<ts.SourceFile> {
  const f = context.factory;
  const visit = (node: ts.Node): ts.VisitResult<ts.Node | undefined> => {
    if (ts.isTypeNode(node) && !ts.isExpressionWithTypeArguments(node)) return undefined;
    if (ts.isTypeParameterDeclaration(node)) return undefined;
    if (ts.isModifier(node) && TYPE_ONLY_MODIFIERS.has(node.kind)) return undefined;
    if (ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node) || ts.isIndexSignatureDeclaration(node))
      return undefined;
    if (has(node, ts.SyntaxKind.DeclareKeyword) || has(node, ts.SyntaxKind.AbstractKeyword)) return undefined;
    if (
      (ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isConstructorDeclaration(node)) &&
      !node.body
    )
      return undefined;
    if (ts.isHeritageClause(node) && node.token === ts.SyntaxKind.ImplementsKeyword) return undefined;
    if (
      ts.isAsExpression(node) ||
      ts.isSatisfiesExpression(node) ||
      ts.isNonNullExpression(node) ||
      ts.isTypeAssertionExpression(node)
    ) {
      return ts.visitNode(node.expression, visit);
    }
    if (ts.isExpressionWithTypeArguments(node) && !ts.isHeritageClause(node.parent))
      return ts.visitNode(node.expression, visit);
    if (ts.isParameter(node)) {
      if (ts.isIdentifier(node.name) && node.name.text === "this") return undefined;
      return f.updateParameterDeclaration(
        node,
        ts.visitNodes(node.modifiers, visit, ts.isModifierLike),
        node.dotDotDotToken,
        ts.visitNode(node.name, visit, ts.isBindingName)!,
        undefined,
        undefined,
        ts.visitNode(node.initializer, visit, ts.isExpression),
      );
    }
    if (ts.isVariableDeclaration(node)) {
      return f.updateVariableDeclaration(
        node,
        ts.visitNode(node.name, visit, ts.isBindingName)!,
        undefined,
        undefined,
        ts.visitNode(node.initializer, visit, ts.isExpression),
      );
    }
    if (ts.isPropertyDeclaration(node)) {
      return f.updatePropertyDeclaration(
        node,
        ts.visitNodes(node.modifiers, visit, ts.isModifierLike),
        ts.visitNode(node.name, visit, ts.isPropertyName)!,
        undefined,
        undefined,
        ts.visitNode(node.initializer, visit, ts.isExpression),
      );
    }
    if (ts.isMethodDeclaration(node) && node.questionToken) {
      return ts.visitEachChild(
        f.updateMethodDeclaration(
          node,
          node.modifiers,
          node.asteriskToken,
          node.name,
          undefined,
          node.typeParameters,
          node.parameters,
          node.type,
          node.body,
        ),
        visit,
        context,
      );
    }
    return ts.visitEachChild(node, visit, context);
  };
  return (sf) => ts.visitEachChild(sf, visit, context);
}
