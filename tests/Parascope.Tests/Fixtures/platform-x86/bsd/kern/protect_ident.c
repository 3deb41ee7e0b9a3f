/*
 * Written for Parascope's tests in the style of a kernel's BSD layer; none of it is Apple's code.
 * Hooks through which protected pages are decrypted: the key lives with platform hardware.
 */
typedef int (*page_transform_t)(const void *from, void *to);

extern int dsmos_page_transform(const void *from, void *to);

struct crypt_info {
	page_transform_t page_decrypt;
};

void
protect_ident_setup(struct crypt_info *info)
{
	info->page_decrypt = dsmos_page_transform; // expect: platform.hardware-binding
}
