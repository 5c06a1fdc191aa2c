import { describe, expect, it } from 'vitest';
import { folderPaths, inSubtree, subtreeIds } from './folder-tree.js';

describe('folder tree paths', () => {
  const folders = [
    { id: 'c', parentId: 'b' },
    { id: 'a', parentId: null },
    { id: 'b', parentId: 'a' },
    { id: 'd', parentId: 'a' },
    { id: 'x', parentId: 'gone' },
    { id: 'y', parentId: 'z' },
    { id: 'z', parentId: 'y' },
  ];

  it('C5 every folder gets the ids from its top folder down to itself; a missing parent or a cycle ends the path', () => {
    expect(Object.fromEntries(folderPaths(folders))).toEqual({
      a: '/a/',
      b: '/a/b/',
      c: '/a/b/c/',
      d: '/a/d/',
      x: '/x/',
      y: '/z/y/',
      z: '/z/',
    });
  });

  it('C5 the subtree of a root is the root and every folder under it, nothing beside it', () => {
    const paths = folderPaths(folders);
    expect([...subtreeIds(paths, 'b')].sort()).toEqual(['b', 'c']);
    expect([...subtreeIds(paths, 'a')].sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(inSubtree('/a/b/c/', 'b')).toBe(true);
    expect(inSubtree('/a/d/', 'b')).toBe(false);
    expect(inSubtree(null, 'b')).toBe(false);
  });
});
