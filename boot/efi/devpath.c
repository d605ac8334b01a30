/* boot/efi/devpath.c - UEFI device paths as bytes (UEFI 2.10, 10.2-10.3). */
#include "boot/efi/devpath.h"
#include "boot/efi/ucs2.h"
#include "lib/string.h"

struct dp_node {
	uint8_t type, sub;
	uint16_t len;          /* header included */
	const uint8_t *p;      /* the node */
};

/* Reads the node at offset off; false if it does not fit in max or is shorter than its header. */
static bool node_at(const uint8_t *dp, size_t max, size_t off, struct dp_node *n)
{
	if (off + DP_NODE_HEADER > max)
		return false;
	n->p = dp + off;
	n->type = n->p[0];
	n->sub = n->p[1];
	n->len = (uint16_t)(n->p[2] | (n->p[3] << 8));
	return n->len >= DP_NODE_HEADER && off + n->len <= max;
}

static bool is_end(const struct dp_node *n)
{
	return n->type == DP_TYPE_END;
}

static bool is_file(const struct dp_node *n)
{
	return n->type == DP_TYPE_MEDIA && n->sub == DP_SUB_FILE_PATH;
}

size_t devpath_size(const void *dp, size_t max)
{
	struct dp_node n;
	size_t off = 0;

	if (!dp)
		return 0;
	while (node_at(dp, max, off, &n)) {
		off += n.len;
		if (is_end(&n))
			return off;
	}
	return 0;
}

size_t devpath_device_len(const void *dp, size_t max)
{
	struct dp_node n;
	size_t off = 0;

	while (node_at(dp, max, off, &n) && !is_end(&n) && !is_file(&n))
		off += n.len;
	return off;
}

int devpath_file_text(const void *dp, size_t max, char *out, size_t size)
{
	struct dp_node n;
	size_t off = 0, len = 0;
	bool any = false;

	if (!size)
		return -ENOSPC;
	out[0] = 0;
	for (;;) {
		if (!node_at(dp, max, off, &n))
			return -EINVAL;
		if (is_end(&n))
			break;
		off += n.len;
		if (!is_file(&n))
			continue;
		any = true;
		/* Each node holds UCS-2 text; join names with one '\'. */
		for (size_t i = DP_NODE_HEADER; i + 1 < n.len; i += 2) {
			uint16_t c = (uint16_t)(n.p[i] | (n.p[i + 1] << 8));

			if (!c)
				break;
			if (c < 0x20 || c >= 0x7f)
				return -EINVAL;
			if (c == '\\' && len && out[len - 1] == '\\')
				continue;
			if (c != '\\' && i == DP_NODE_HEADER && len && out[len - 1] != '\\') {
				if (len + 1 >= size)
					return -ENOSPC;
				out[len++] = '\\';
			}
			if (len + 1 >= size)
				return -ENOSPC;
			out[len++] = (char)c;
		}
		out[len] = 0;
	}
	return any ? 0 : -ENOENT;
}

int devpath_build_file(void *out, size_t size, const void *dev, size_t dev_max, const char *path)
{
	uint8_t *o = out;
	size_t dlen = 0, plen = strlen(path), node;

	if (dev && dev_max) {
		if (!devpath_size(dev, dev_max))
			return -EINVAL;
		dlen = devpath_device_len(dev, dev_max);
	}
	node = DP_NODE_HEADER + 2 * (plen + 1);
	if (node > 0xffff || dlen + node + DP_NODE_HEADER > size)
		return -ENOSPC;
	if (dlen)
		memcpy(o, dev, dlen);
	o[dlen] = DP_TYPE_MEDIA;
	o[dlen + 1] = DP_SUB_FILE_PATH;
	o[dlen + 2] = (uint8_t)node;
	o[dlen + 3] = (uint8_t)(node >> 8);
	for (size_t i = 0; i <= plen; i++) {
		char c = path[i] == '/' ? '\\' : path[i];

		o[dlen + DP_NODE_HEADER + 2 * i] = (uint8_t)c;
		o[dlen + DP_NODE_HEADER + 2 * i + 1] = 0;
	}
	o += dlen + node;
	o[0] = DP_TYPE_END;
	o[1] = DP_SUB_END_ENTIRE;
	o[2] = DP_NODE_HEADER;
	o[3] = 0;
	return (int)(dlen + node + DP_NODE_HEADER);
}

/* The first Hard Drive node of a path's device part, NULL if none. */
static const uint8_t *find_hd(const uint8_t *dp, size_t max)
{
	struct dp_node n;
	size_t off = 0;

	while (node_at(dp, max, off, &n) && !is_end(&n) && !is_file(&n)) {
		if (n.type == DP_TYPE_MEDIA && n.sub == DP_SUB_HARD_DRIVE && n.len == DP_HD_NODE_SIZE)
			return n.p;
		off += n.len;
	}
	return NULL;
}

bool devpath_is_self(const void *opt, size_t opt_len, const void *self_dev, size_t self_dev_len,
		     const char *self_file)
{
	char file[256];
	size_t olen = devpath_size(opt, opt_len), odev, sdev = 0;
	const uint8_t *ohd, *shd;
	int rc;

	if (!olen)
		return false;
	odev = devpath_device_len(opt, olen);
	if (self_dev && devpath_size(self_dev, self_dev_len))
		sdev = devpath_device_len(self_dev, self_dev_len);
	rc = devpath_file_text(opt, olen, file, sizeof(file));
	if (rc == -ENOENT) {
		/* Only a device: the firmware boots its removable-media file. It is
		 * hv.efi when hv.efi is that file on a volume of that device (the
		 * option names the disk, hv.efi's volume is a partition of it). */
		if (!efi_path_equal(self_file, EFI_REMOVABLE_PATH) || !sdev || !odev || odev > sdev)
			return false;
		return memcmp(opt, self_dev, odev) == 0;
	}
	if (rc < 0 || !efi_path_equal(file, self_file))
		return false;
	if (odev == 0)
		return true;  /* a bare file path: relative to the device it was loaded from, ours */
	if (sdev && odev == sdev && memcmp(opt, self_dev, odev) == 0)
		return true;
	/* A short form (UEFI 2.10, 3.1.2) starts at the partition's HD node. */
	ohd = find_hd(opt, olen);
	shd = sdev ? find_hd(self_dev, self_dev_len) : NULL;
	return ohd && shd && ohd == (const uint8_t *)opt && memcmp(ohd, shd, DP_HD_NODE_SIZE) == 0;
}
