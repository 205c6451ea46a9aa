//! The program's rulebook and risk engine as a WebAssembly module for TypeScript.
//!
//! Everything computed here is the program's own code (`greekhouse-rulebook` mounts the
//! program's `state/`, `engine/` and `oracle/` files; `greekhouse-risk` is the engine it calls):
//! account bytes are decoded into the program's zero-copy structs, Pyth accounts are read by the
//! program's own byte parser (`oracle::parse_oracle_account`) and their prices go through the
//! program's checks, and margins, write and withdraw projections, auction terms and option
//! prices come from the program's functions.
//!
//! ABI: no wasm-bindgen. The module exports `gh_alloc(len) -> ptr`, `gh_free(ptr, len)` and
//! `gh_call(ptr, len) -> u64`. A call takes a UTF-8 JSON request (`{"op": ..., ...}`, accounts as
//! `{key, owner, data}` with base58 keys and base64 data) in memory the caller allocated, and
//! returns `(ptr << 32) | len` of a UTF-8 JSON answer the caller reads and frees:
//! `{"ok": ...}`, `{"refused": {code, name, message}}` (the program's error) or
//! `{"fault": "..."}` (a malformed request or a missing account). Any JavaScript host
//! instantiates it with `WebAssembly.instantiate` alone, so the build needs only cargo and the
//! `wasm32-unknown-unknown` target (no `wasm-bindgen-cli` to compile in CI).

pub mod engine;
pub mod request;

/// Memory for a request of `len` bytes, owned by the caller until it passes it to `gh_call`
/// (which does not free it) and then to `gh_free`.
#[no_mangle]
pub extern "C" fn gh_alloc(len: usize) -> *mut u8 {
    let mut buffer = Vec::<u8>::with_capacity(len.max(1));
    let ptr = buffer.as_mut_ptr();
    core::mem::forget(buffer);
    ptr
}

/// Release memory from `gh_alloc` or an answer of `gh_call`.
///
/// # Safety
/// `ptr` and `len` are exactly a buffer this module handed out and that was not freed yet.
#[no_mangle]
pub unsafe extern "C" fn gh_free(ptr: *mut u8, len: usize) {
    drop(Vec::from_raw_parts(ptr, 0, len.max(1)));
}

/// Run one request; see the crate documentation for the encoding.
///
/// # Safety
/// `ptr..ptr + len` is a live buffer from `gh_alloc`.
#[no_mangle]
pub unsafe extern "C" fn gh_call(ptr: *const u8, len: usize) -> u64 {
    let request = core::slice::from_raw_parts(ptr, len);
    let mut answer = engine::dispatch(request).into_bytes();
    // the answer's capacity is its length, so gh_free(ptr, len) releases exactly it
    answer.shrink_to_fit();
    let out_len = answer.len();
    let mut answer = core::mem::ManuallyDrop::new(answer);
    let out_ptr = if answer.capacity() == 0 {
        gh_alloc(0)
    } else {
        answer.as_mut_ptr()
    };
    ((out_ptr as u64) << 32) | out_len as u64
}
