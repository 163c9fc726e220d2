import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHeredocWord, parseTree, parseWords } from '../../../src/dockerfile/tree.js';
import { DockerfileParseError } from '../../../src/dockerfile/errors.js';

test('heredoc forms: plain, chomp, quoted, several, file descriptor', () => {
  const text = [
    'FROM a',
    'RUN <<EOF',
    'echo $HOME',
    'EOF',
    'RUN <<-EOT sh',
    '\techo tab',
    '\tEOT',
    'RUN cat <<"Q1" && cat <<\'Q2\'',
    'one $X',
    'Q1',
    'two',
    'Q2',
    'RUN 3<<FD cat /dev/fd/3',
    'fd',
    'FD',
    'COPY <<A <<B /dst/',
    'a',
    'A',
    'B',
    'RUN echo "<<NOT" \\<<ALSO_NOT',
    '',
  ].join('\n');
  const tree = parseTree(text);
  const docs = tree.nodes.map((n) => n.heredocs.map((h) => [h.name, h.fileDescriptor, h.chomp, h.expand, h.content]));
  assert.deepEqual(docs, [
    [],
    [['EOF', 0, false, true, 'echo $HOME\n']],
    [['EOT', 0, true, true, '\techo tab\n']],
    [['Q1', 0, false, false, 'one $X\n'], ['Q2', 0, false, false, 'two\n']],
    [['FD', 3, false, true, 'fd\n']],
    [['A', 0, false, true, 'a\n'], ['B', 0, false, true, '']],
    [],
  ]);
  assert.deepEqual(tree.nodes[1]!.range, { start: { line: 2, column: 1 }, end: { line: 4, column: 4 } });
  assert.deepEqual(tree.nodes[3]!.heredocs[1]!.range, { start: { line: 11, column: 1 }, end: { line: 12, column: 3 } });
});

test('heredocs: ONBUILD trigger, exec form ignored, partly quoted delimiter, unterminated error', () => {
  const tree = parseTree('FROM a\nONBUILD RUN <<EOF\nx\nEOF\nRUN ["<<EOF"]\nRUN cat <<E"O"F\ny\nEOF\n');
  assert.equal(tree.nodes[1]!.heredocs[0]!.content, 'x\n');
  assert.equal(tree.nodes[2]!.heredocs.length, 0);
  assert.deepEqual([tree.nodes[3]!.heredocs[0]!.name, tree.nodes[3]!.heredocs[0]!.expand], ['EOF', false]);
  assert.throws(() => parseTree('FROM a\nRUN <<EOF\nnever ends\n'), (err: unknown) => {
    assert.ok(err instanceof DockerfileParseError);
    assert.equal(err.line, 2);
    assert.match(err.message, /unterminated heredoc/);
    return true;
  });
  // No heredocs on other instructions.
  assert.equal(parseTree('FROM a\nENV A=<<EOF\n').nodes[1]!.heredocs.length, 0);
});

test('parseHeredocWord', () => {
  assert.deepEqual(parseHeredocWord('<<EOF'), { name: 'EOF', fileDescriptor: 0, chomp: false, expand: true });
  assert.deepEqual(parseHeredocWord('12<<-"END"'), { name: 'END', fileDescriptor: 12, chomp: true, expand: false });
  assert.equal(parseHeredocWord('<<'), undefined);
  assert.equal(parseHeredocWord('x<<EOF'), undefined);
  assert.equal(parseHeredocWord('<<<EOF'), undefined);
  assert.deepEqual(parseHeredocWord('<<"A B"'), { name: 'A B', fileDescriptor: 0, chomp: false, expand: false });
  assert.equal(parseHeredocWord('<<A"'), undefined);
});

test('directives: escape, syntax, check; case-insensitive; only at the top', () => {
  const tree = parseTree('# syntax=docker/dockerfile:1\n#ESCAPE = `\n# check=skip=all\nFROM a\nRUN echo a `\n  b\n');
  assert.deepEqual(tree.directives.map((d) => [d.name, d.value, d.range.start.line]), [
    ['syntax', 'docker/dockerfile:1', 1],
    ['escape', '`', 2],
    ['check', 'skip=all', 3],
  ]);
  assert.equal(tree.escape, '`');
  assert.equal(tree.nodes[1]!.args[0], 'echo a   b');
  // After a comment, a blank line or an unknown directive they are plain comments.
  for (const text of ['# hello\n# escape=`\nFROM a\n', '\n# escape=`\nFROM a\n', '# foo=bar\n# escape=`\nFROM a\n']) {
    const t = parseTree(text);
    assert.equal(t.escape, '\\', text);
    assert.equal(t.directives.length, 0);
  }
});

test('directive errors: duplicate, invalid escape', () => {
  assert.throws(() => parseTree('# escape=`\n# escape=\\\nFROM a\n'), /only one escape parser directive/);
  assert.throws(() => parseTree('# escape=x\nFROM a\n'), (err: unknown) => err instanceof DockerfileParseError && err.code === 'ERR_DOCKERFILE_PARSE' && /invalid escape token/.test(err.message));
});

test('comments attach to the next instruction; an empty # resets them', () => {
  const tree = parseTree('# one\n# two\nFROM a\n# a\n#\n# b\n\nRUN x\nRUN y\n');
  assert.deepEqual(tree.nodes.map((n) => n.comments), [['one', 'two'], ['b'], []]);
});

test('ranges: keyword, flags and multi-line instructions; CRLF and BOM', () => {
  const tree = parseTree('\ufeffFROM a\r\n  COPY --from=b \\\r\n   x y\r\n');
  assert.equal(tree.bom, true);
  const copy = tree.nodes[1]!;
  assert.deepEqual(copy.keywordRange, { start: { line: 2, column: 3 }, end: { line: 2, column: 7 } });
  assert.deepEqual(copy.flags[0]!.range, { start: { line: 2, column: 8 }, end: { line: 2, column: 16 } });
  assert.deepEqual(copy.range, { start: { line: 2, column: 3 }, end: { line: 3, column: 7 } });
  assert.equal(copy.raw, '  COPY --from=b \\\r\n   x y\r\n');
  assert.deepEqual(copy.args, ['x', 'y']);
});

test('warnings for empty continuation lines', () => {
  const tree = parseTree('FROM a\nRUN a \\\n\n  b\n');
  assert.equal(tree.warnings.length, 1);
  assert.match(tree.warnings[0]!.message, /Empty continuation line/);
});

test('errors name the file and line', () => {
  assert.throws(() => parseTree('FROM a\nENV PATH\n', { filename: 'x/Dockerfile' }), (err: unknown) => {
    assert.ok(err instanceof DockerfileParseError);
    assert.equal(err.filename, 'x/Dockerfile');
    assert.equal(err.line, 2);
    assert.match(err.message, /^x\/Dockerfile:2:1: ENV must have two arguments/);
    assert.ok(err.hint);
    return true;
  });
  assert.throws(() => parseTree('  \n# only\n'), /file with no instructions/);
  assert.throws(() => parseTree('FROM a\nENV a=1 b\n'), /can't find =/);
});

test('parseWords keeps quotes and escapes', () => {
  assert.deepEqual(parseWords(`a "b c" 'd e' f\\ g ""`, '\\'), ['a', '"b c"', "'d e'", 'f\\ g', '""']);
  assert.deepEqual(parseWords('a`  b', '`'), ['a` ', 'b']);
});

test('ranges made on demand: stable, assignable, in JSON, right across continuations', () => {
  const tree = parseTree('FROM a\n  COPY --chown=1:1 \\\n   --chmod=644 x /y\n');
  const copy = tree.nodes[1]!;
  assert.equal(copy.range, copy.range);
  assert.equal(copy.keywordRange.start, copy.range.start);
  assert.deepEqual(copy.flags[1]!.range, { start: { line: 3, column: 4 }, end: { line: 3, column: 15 } });
  assert.deepEqual(copy.range, { start: { line: 2, column: 3 }, end: { line: 3, column: 20 } });
  const json = JSON.parse(JSON.stringify(copy)) as Record<string, unknown>;
  assert.deepEqual(json['range'], copy.range);
  assert.deepEqual(json['keywordRange'], copy.keywordRange);
  assert.deepEqual(json['flags'], [{ text: '--chown=1:1', range: copy.flags[0]!.range }, { text: '--chmod=644', range: copy.flags[1]!.range }]);
  assert.equal(Object.keys(copy).includes('range'), false);
  const moved = { start: { line: 9, column: 1 }, end: { line: 9, column: 2 } };
  copy.range = moved;
  copy.keywordRange = moved;
  copy.flags[0]!.range = moved;
  assert.equal(copy.range, moved);
  assert.equal(copy.keywordRange, moved);
  assert.equal(copy.flags[0]!.range, moved);
});
