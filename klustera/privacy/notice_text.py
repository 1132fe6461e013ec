"""The platform's privacy notice, in both languages (revision ``PLATFORM_REVISION``): what
every complex on Klustera tells its residents and staff. Each complex may add its own text."""

from __future__ import annotations

NOTICE: dict[str, list[str]] = {
    "id": [
        "Pengelola kompleks Anda adalah pengendali data pribadi Anda; Klustera memprosesnya "
        "atas nama pengelola (UU No. 27 Tahun 2022 tentang Pelindungan Data Pribadi).",
        "Kami memproses nama, nomor telepon, email, unit tempat tinggal, kendaraan, tagihan "
        "dan pembayaran, catatan keluar-masuk gerbang, keluhan, pemesanan fasilitas dan foto "
        "yang Anda unggah, untuk menjalankan kompleks: penagihan IPL, keamanan gerbang, "
        "layanan keluhan dan fasilitas.",
        "Pesan komunitas (pengumuman acara, pemungutan suara) dan penawaran adalah pilihan "
        "terpisah yang dapat Anda tarik kapan saja di halaman Privasi.",
        "Pemroses yang membantu kami: Xendit (pembayaran), Meta WhatsApp atau gateway WhatsApp "
        "kompleks, penyedia email dan SMS, layanan notifikasi peramban, dan penyedia server.",
        "Catatan keuangan disimpan 10 tahun (UU KUP pasal 28 ayat 11); catatan operasional "
        "(log gerbang, foto tamu dan paket, pesan terkirim) 1 tahun; data akun selama akun ada.",
        "Anda berhak meminta salinan data Anda (JSON dan CSV), perbaikan, penghapusan "
        "(anonimisasi; catatan keuangan tetap disimpan dengan nama samaran) dan pembatasan "
        "pemrosesan. Kami menjawab dalam 3 × 24 jam.",
        "Jika terjadi kebocoran data, kami memberi tahu Anda dan lembaga PDP dalam 3 × 24 jam.",
    ],
    "en": [
        "Your complex's management is the controller of your personal data; Klustera processes "
        "it on the management's behalf (Law No. 27 of 2022 on Personal Data Protection).",
        "We process your name, phone number, email, the unit you live in, your vehicles, "
        "invoices and payments, the gate's log, your complaints, facility bookings and the "
        "photos you upload, to run the complex: service-fee (IPL) billing, gate security, "
        "complaints and facilities.",
        "Community messages (event announcements, polls) and offers are separate choices you "
        "can withdraw at any time on the Privacy page.",
        "Processors who help us: Xendit (payments), Meta WhatsApp or the complex's WhatsApp "
        "gateway, the email and SMS providers, browser push services, and the server host.",
        "Financial records are kept 10 years (UU KUP art. 28(11)); operational records (the "
        "gate's log, visitor and parcel photos, sent messages) 1 year; account data while the "
        "account exists.",
        "You may ask for a copy of your data (JSON and CSV), a correction, deletion "
        "(anonymisation; financial records stay under a pseudonym) and restriction of "
        "processing. We answer within 3 × 24 hours.",
        "If a breach exposes your data, we tell you and the PDP agency within 3 × 24 hours.",
    ],
}
