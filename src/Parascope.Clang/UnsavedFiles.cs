using System.Runtime.InteropServices;
using System.Text;
using Parascope.Clang.Interop;

namespace Parascope.Clang;

/// <summary>
/// File contents libclang reads instead of the files on disk (clang_parseTranslationUnit2's unsaved_files), copied
/// to native memory once and shared, read-only, by every parse on every thread.
/// </summary>
public sealed unsafe class UnsavedFiles : IDisposable
{
    private CXUnsavedFile* _files;
    private readonly List<nint> _buffers = [];

    public int Count { get; }

    public UnsavedFiles(IEnumerable<KeyValuePair<string, string>> contentsByPath)
    {
        var entries = contentsByPath.ToList();
        Count = entries.Count;
        _files = (CXUnsavedFile*)NativeMemory.AllocZeroed((nuint)Math.Max(1, Count), (nuint)sizeof(CXUnsavedFile));
        for (var i = 0; i < entries.Count; i++)
        {
            var name = Copy(entries[i].Key, out _);
            var contents = Copy(entries[i].Value, out var length);
            _files[i] = new CXUnsavedFile { Filename = (sbyte*)name, Contents = (sbyte*)contents, Length = (nuint)length };
        }
    }

    public static readonly UnsavedFiles None = new([]);

    internal CXUnsavedFile* Pointer => _files;

    private nint Copy(string text, out int length)
    {
        length = Encoding.UTF8.GetByteCount(text);
        var buffer = (byte*)NativeMemory.Alloc((nuint)length + 1);
        Encoding.UTF8.GetBytes(text, new Span<byte>(buffer, length));
        buffer[length] = 0;
        _buffers.Add((nint)buffer);
        return (nint)buffer;
    }

    public void Dispose()
    {
        if (_files is null || ReferenceEquals(this, None))
        {
            return;
        }
        foreach (var buffer in _buffers)
        {
            NativeMemory.Free((void*)buffer);
        }
        _buffers.Clear();
        NativeMemory.Free(_files);
        _files = null;
    }
}
